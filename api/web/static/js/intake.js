/* One-window intake (一窗受理) of a bundle: the complete guide (with what the case itself issues
   and hands on), the applicant block the bundle's subject asks for, the unified form pre-filled
   from shared data and e-licences, the material checklist, and acceptance. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, labels, param, clearErrors, formatDate } = OneThing;
  const code = param("code");
  const form = document.getElementById("intake");

  const [guide, licences, fieldCatalogue] = await Promise.all([
    api("GET", `/api/bundles/${encodeURIComponent(code)}/guide`),
    api("GET", "/api/catalogue/licences").catch(() => ({})),
    api("GET", "/api/catalogue/fields").catch(() => ({})),
  ]);
  const subject = guide.subject;
  fill("#intake-title", `一窗受理：${guide.name}`);
  document.title = `一窗受理：${guide.name} · 一件事综合服务工作台`;
  renderGuide(guide);
  fill("#subject-note", ApplicantBlock.note(subject, (key) => (fieldCatalogue[key] && fieldCatalogue[key].label) || key));
  fill("#applicant-fields", ApplicantBlock.fields(subject));

  let spec = await api("GET", `/api/bundles/${encodeURIComponent(code)}/form`);
  let calendar = null;
  /* The scans (高拍仪) of each material, chosen at intake and uploaded once the case is accepted;
     kept apart from the file inputs, which a new look-up draws again. */
  const scans = new Map();
  const touched = new Set(); // form fields the clerk typed in: a later look-up does not overwrite them
  let copied = {}; // form fields filled from the applicant block, with the value copied
  renderForm({});
  renderMaterials({});
  /* An intake started from a booking (预约): its applicant's name and phone, and the case will name it;
     or from a walk-in ticket the window called (叫号), which the case then serves. */
  const bookingId = Number(new URLSearchParams(location.search).get("booking")) || null;
  const ticketId = Number(new URLSearchParams(location.search).get("ticket")) || null;
  /* Where the results are collected: the clerk's own point unless the applicant asks for another (异地代收). */
  const handover = document.getElementById("handover-point");
  const points = (await api("GET", "/api/hall/points")).points;
  const mine = points.find((p) => p.code === OneThing.user?.service_point) || points.find((p) => !p.parent);
  OneThing.fill(handover, points.map((p) => OneThing.h("option", { value: p.code }, `${p.name}`)));
  if (mine) handover.value = mine.code;
  const asAgent = (OneThing.user?.roles || []).includes("agent") && !(OneThing.user?.roles || []).includes("clerk");
  document.getElementById("mandate-field").hidden = !asAgent;
  if (bookingId) {
    const booked = await api("GET", `/api/bookings/${bookingId}`);
    for (const [key, value] of [["name", booked.name], ["phone", booked.phone]]) {
      const input = form.elements[`applicant.${key}`];
      if (input && !input.value) input.value = value;
    }
    OneThing.flash(`受理预约 ${booked.code}：${booked.name}（${booked.point_name}）`);
  }

  function renderGuide(g) {
    const items = OneThing.table(["事项", "部门", "法定时限", "承诺时限", "收费"], g.items.map((i) => [
      i.name, i.department_name, i.statutory_days === null ? "即办" : `${i.statutory_days} 个工作日`,
      i.promised_days === null ? "—" : `${i.promised_days} 个工作日`, i.fee || "—",
    ]));
    const published = (g.published || []).filter((p) => p.before !== null && p.after !== null);
    const FIGURES = { form_fields: "表单", materials: "材料", time: "时间", trips: "跑动", steps: "环节" };
    fill("#guide-body",
      h("p", {}, `本一件事由 ${Object.entries(g.departments).filter(([k]) => k !== "window").map(([, v]) => v).join("、")} 并联审批，` +
        `综合窗口一次受理、统一出件。一张表单 ${g.form.fields_unified} 项（分别办理共 ${g.form.fields_alone} 项），` +
        `一套材料 ${g.materials_unified} 份（分别办理共 ${g.materials_alone} 份）。` +
        (g.tolerance_days !== null && g.tolerance_days !== undefined ? `次要材料可容缺受理，须在 ${g.tolerance_days} 个工作日内补交。` : "")),
      items,
      h("h3", {}, "所需材料"),
      h("ul", {}, g.materials.map((m) => h("li", {}, m.name, " ", OneThing.badge(labels.materialKind[m.kind] || m.kind),
        m.commitment_allowed ? " 可告知承诺" : ""))),
      issuedByCase(g),
      published.length ? h("p", { class: "muted" }, "公布成效：", published.map((p) =>
        `${FIGURES[p.figure] || p.figure} ${p.before}→${p.after}（${p.place}）`).join("；")) : null);
  }

  /* What the case's own items issue and hand on to the items after them (联动): never asked for
     at the window, so the clerk sees why they are not on the checklist. */
  function issuedByCase(g) {
    const issued = g.items.flatMap((issuer) => (issuer.issues || []).map((m) => {
      const users = g.items.filter((i) => (i.uses || []).some((u) => u.key === m.key)).map((i) => i.name);
      return h("li", { dataset: { material: m.key } }, `${m.name}：由本件“${issuer.name}”事项核发，` +
        (users.length ? `联动取得，无需提交（用于：${users.join("、")}）` : "无需提交"));
    }));
    if (!issued.length) return null;
    return [h("h3", {}, "本件核发、联动取得的材料（无需提交）"), h("ul", { id: "guide-issued" }, issued)];
  }

  const sourceNames = { person: "人口库", enterprise: "法人库", property: "不动产登记", social_insurance: "社会保险",
    marriage: "婚姻登记", birth: "出生医学证明" };

  function sourceText(source) {
    if (!source) return "共享数据";
    if (source.startsWith("person.")) return "人口基础信息";
    if (source.startsWith("enterprise.")) return "企业登记信息";
    if (source.startsWith("licence.")) {
      const type = source.split(".")[1];
      return `电子证照：${(licences[type] && licences[type].name) || type}`;
    }
    return source;
  }

  function currentValues() {
    const values = {};
    for (const key of Object.keys(spec.schema.properties)) {
      const value = readField(key);
      if (value !== undefined) values[key] = value;
    }
    return values;
  }

  function readField(key) {
    return UnifiedForm.read(form, spec.schema.properties[key], key);
  }

  /* The unified form by groups; `values` wins over the pre-filled values. */
  function renderForm(values) {
    const required = new Set(spec.schema.required || []);
    const prefilled = spec.prefilled || {};
    const fromApplicant = ApplicantBlock.formValues(subject, applicantValues());
    copied = {};
    const groups = spec.groups.map((group) => h("fieldset", {}, h("legend", {}, group.title),
      h("div", { class: "fields" }, group.fields.map((key) => {
        const prop = spec.schema.properties[key];
        let value = values[key];
        let mark = null;
        if (value === undefined && prefilled[key]) {
          value = prefilled[key].value;
          const from = prefilled[key].origin === "registry" ? prefilled[key].label
            : prefilled[key].origin === "earlier_case" ? "既往办件" : sourceText(prefilled[key].source);
          mark = h("span", { class: "badge prefill", dataset: { origin: prefilled[key].origin || "" },
            title: `来源：${from}` }, `已预填 · ${from}`);
        } else if (value === undefined && fromApplicant[key] !== undefined) {
          value = fromApplicant[key];
          copied[key] = value;
          mark = sameAsApplicant();
        }
        const asked = [...new Set((prop["x-asked-by"] || []).map(departmentOfItem))].join("、");
        return h("div", { class: `field${mark ? " prefilled" : ""}`, dataset: { key } },
          h("label", { for: `f-${key}`, "data-label-for": `form.${key}` }, prop.title, required.has(key) ? "*" : "", mark),
          UnifiedForm.widget(key, prop, value),
          asked ? h("span", { class: "hint" }, `用于：${asked}`) : null,
          h("span", { class: "error", "data-error-for": `form.${key}` }));
      }))));
    fill("#form-groups", groups);
    const count = Object.keys(prefilled).length;
    fill("#form-summary", `统一表单共 ${spec.fields_unified} 项，其中 ${count} 项已由共享数据或电子证照预填（绿色标记），` +
      `需填写 ${spec.fields_unified - count} 项。带 * 的为必填项。`);
    for (const field of form.querySelectorAll("#form-groups .field")) {
      field.addEventListener("input", () => {
        touched.add(field.dataset.key);
        field.classList.remove("prefilled");
        field.querySelector(".badge.prefill")?.remove();
      });
    }
  }

  function departmentOfItem(itemCode) {
    const item = guide.items.find((i) => i.code === itemCode);
    return item ? item.department_name : itemCode;
  }

  function itemName(itemCode) {
    const item = guide.items.find((i) => i.code === itemCode);
    return item ? item.name : itemCode;
  }

  function applicantValues() {
    return ApplicantBlock.values(form, subject);
  }

  function sameAsApplicant() {
    return h("span", { class: "badge prefill", dataset: { from: "applicant" } }, "同申请人信息");
  }

  /* What the applicant block answers of the form is copied into it, unless the clerk typed there;
     a value copied before and no longer answered (a parent's fields when the relation changes) is
     taken out again. */
  function copyIntoForm() {
    const wanted = ApplicantBlock.formValues(subject, applicantValues());
    for (const key of new Set([...Object.keys(copied), ...Object.keys(wanted)])) {
      const field = form.querySelector(`#form-groups .field[data-key="${CSS.escape(key)}"]`);
      if (!field || touched.has(key)) continue;
      const input = field.querySelector("input, select, textarea");
      if (!input) continue;
      if (key in wanted) {
        input.value = wanted[key];
        field.classList.add("prefilled");
        field.querySelector(".badge.prefill")?.remove();
        field.querySelector("label").append(sameAsApplicant());
      } else if (input.value === copied[key]) {
        input.value = "";
        field.classList.remove("prefilled");
        field.querySelector('.badge.prefill[data-from="applicant"]')?.remove();
      }
    }
    copied = Object.fromEntries(Object.entries(wanted).filter(([key]) => !touched.has(key)));
  }
  for (const f of subject.applicant_fields) form.elements[`applicant.${f.key}`].addEventListener("change", copyIntoForm);

  function materialChoice(m, state) {
    const name = `material:${m.key}`;
    const option = (value, text, enabled = true, title = null) => h("label", { title },
      h("input", { type: "radio", name, value, checked: state === value, disabled: !enabled }), text);
    const choices = [option("submitted", labels.material.submitted)];
    if (m.elicence) {
      const held = m.waived_by_elicence;
      choices.push(option("elicence", labels.material.elicence, held,
        held ? null : `申请人未持有电子证照：${(licences[m.elicence] && licences[m.elicence].name) || m.elicence}`));
    }
    if (m.registry) {
      const held = m.waived_by_record;
      choices.push(option("shared", labels.material.shared, held, held ? null : "共享数据中没有可代替该材料的记录"));
    }
    if (m.commitment_allowed) choices.push(option("commitment", labels.material.commitment));
    if (m.kind === "secondary" && guide.tolerance_days !== null && guide.tolerance_days !== undefined) {
      choices.push(option("tolerated", labels.material.tolerated, spec.tolerance_allowed,
        spec.tolerance_allowed ? null : "申请人有失信记录，不适用容缺受理"));
    }
    return h("div", { class: "choices" }, choices);
  }

  function renderMaterials(states) {
    const rows = spec.materials.map((m) => {
      const state = states[m.key] || (m.waived_by_elicence ? "elicence" : m.waived_by_record ? "shared" : "");
      return h("tr", { dataset: { material: m.key } },
        h("td", {}, h("span", { "data-label-for": `materials.${m.key}` }, m.name), " ",
          OneThing.badge(labels.materialKind[m.kind] || m.kind),
          h("div", { class: "hint muted" }, `用于：${m.items.map(itemName).join("、")}`)),
        h("td", { class: "field" }, materialChoice(m, state),
          h("div", { class: "hint due", hidden: state !== "tolerated" }),
          scanPicker(m),
          h("span", { class: "error", "data-error-for": `materials.${m.key}` })));
    });
    fill("#materials", h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "材料"), h("th", {}, "情况"))),
      h("tbody", {}, rows)));
    for (const radio of form.querySelectorAll("#materials input[type=radio]")) {
      radio.addEventListener("change", () => showDue(radio.closest("tr")));
    }
    for (const row of form.querySelectorAll("#materials tr[data-material]")) showDue(row);
  }

  function scanPicker(m) {
    const chosen = h("span", { class: "hint muted" });
    const show = () => fill(chosen, scans.has(m.key) ? `已选扫描件：${[...scans.get(m.key)].map((f) => f.name).join("、")}` : "");
    const input = h("input", { type: "file", multiple: true, accept: "image/jpeg,image/png,application/pdf",
      "aria-label": `${m.name}：扫描件`, class: "scan-input" });
    input.addEventListener("change", () => {
      if (input.files.length) scans.set(m.key, [...input.files]); else scans.delete(m.key);
      show();
    });
    show();
    return h("div", { class: "row no-print scan-picker" }, input, chosen);
  }

  async function uploadScans(number) {
    const failed = [];
    for (const [key, files] of scans) {
      const state = form.querySelector(`input[name="material:${CSS.escape(key)}"]:checked`);
      if (state && state.value !== "submitted") continue; // waived or tolerated: no paper to scan
      try {
        await CaseFiles.upload(number, key, files);
      } catch (err) {
        failed.push(`${(spec.materials.find((m) => m.key === key) || {}).name || key}：${err.message}`);
      }
    }
    return failed;
  }

  function materialStates() {
    const states = {};
    for (const m of spec.materials) {
      const chosen = form.querySelector(`input[name="material:${CSS.escape(m.key)}"]:checked`);
      if (chosen) states[m.key] = chosen.value;
    }
    return states;
  }

  async function showDue(row) {
    const slot = row.querySelector(".due");
    const chosen = row.querySelector("input[type=radio]:checked");
    slot.hidden = !chosen || chosen.value !== "tolerated";
    if (slot.hidden) return;
    try {
      const due = await toleranceDueDay(guide.tolerance_days);
      slot.textContent = `容缺：须于 ${formatDate(due)} 前补交（受理后 ${guide.tolerance_days} 个工作日内），逾期办件终止`;
    } catch (err) {
      slot.textContent = `容缺：须在受理后 ${guide.tolerance_days} 个工作日内补交，逾期办件终止`;
    }
  }

  /* The last day to supply a tolerated material: N working days after today (Asia/Shanghai), today
     not counted, with the holidays, adjusted weekends and overrides of the working-day calendar. */
  async function toleranceDueDay(days) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).map((p) => [p.type, p.value]));
    let day = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)));
    calendar = calendar || {};
    let left = days;
    while (left > 0) {
      day = new Date(day.getTime() + 86400000);
      const year = day.getUTCFullYear();
      if (!calendar[year]) calendar[year] = await api("GET", `/api/calendar/${year}`);
      const iso = day.toISOString().slice(0, 10);
      const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
      const working = weekend ? calendar[year].working_weekends.includes(iso) : !calendar[year].weekday_days_off.includes(iso);
      if (working) left -= 1;
    }
    return day.toISOString().slice(0, 10);
  }

  document.getElementById("all-submitted").addEventListener("click", () => {
    for (const m of spec.materials) {
      const radio = form.querySelector(`input[name="material:${CSS.escape(m.key)}"][value=submitted]`);
      if (radio && !form.querySelector(`input[name="material:${CSS.escape(m.key)}"]:checked`)) radio.checked = true;
    }
    for (const row of form.querySelectorAll("#materials tr[data-material]")) showDue(row);
  });

  // This intake's id: the lookups made while preparing it join the case it becomes (数据调用留痕).
  const draft = OneThing.newKey();

  // Fields naming someone other than the applicant (an employee's ID number) whose registry records
  // fill that person's fields: the prefill paths ending in @<field>. Their typed values go along.
  function about() {
    const keys = new Set(Object.keys(spec.schema.properties));
    const values = currentValues();
    const named = new Set();
    for (const prop of Object.values(spec.schema.properties)) {
      for (const path of prop["x-prefill"] || []) {
        const field = path.split("@")[1];
        if (field && keys.has(field)) named.add(field);
      }
    }
    return [...named].filter((key) => /^[0-9A-Z]{18}$/.test(String(values[key] || "").trim().toUpperCase()))
      .map((key) => `&about=${key}:${encodeURIComponent(String(values[key]).trim().toUpperCase())}`).join("");
  }
  // Where the registries hold several records of one kind (two properties), the window picks one:
  // scope -> record reference, sent with the lookup and with the acceptance.
  let picks = {};
  let picksFor = "";
  function choose() {
    return Object.entries(picks).map(([scope, ref]) => `&choose=${encodeURIComponent(`${scope}:${ref}`)}`).join("");
  }
  function renderChoices(choices) {
    fill("#record-choices", choices.map((c) => {
      const select = h("select", { id: `choose-${c.scope}`, "data-scope": c.scope },
        h("option", { value: "" }, "请选择"),
        c.records.map((r) => h("option", { value: r.ref, selected: r.ref === c.picked },
          `${r.label}（${r.ref}）`)));
      select.addEventListener("change", () => {
        if (select.value) picks[c.scope] = select.value; else delete picks[c.scope];
        lookup.click();
      });
      return h("p", { class: "notice warn" },
        h("label", { for: select.id }, `${c.kind_name}中查到申请人名下 ${c.records.length} 条记录，请选定本次办理的一条：`),
        " ", select);
    }));
  }
  const lookup = document.getElementById("lookup");
  lookup.addEventListener("click", () => busy(lookup, async () => {
    clearErrors(form);
    const { key, ref } = ApplicantBlock.lookupRef(subject, applicantValues());
    if (!ref) {
      const what = key === "credit_code" ? "企业的统一社会信用代码" : "申请人的身份证号码";
      throw new OneThing.ApiError(422, { message_zh: `请先填写${what}`, errors: { [`applicant.${key}`]: [`查询预填需要${what}`] } });
    }
    const typed = Object.fromEntries(Object.entries(currentValues()).filter(([k]) => touched.has(k)));
    if (picksFor !== ref + about()) picks = {};  // picked among another applicant's records
    picksFor = ref + about();
    const states = materialStates();
    const [found, held] = await Promise.all([
      api("GET", `/api/bundles/${encodeURIComponent(code)}/form?applicant=${encodeURIComponent(ref)}&draft=${draft}` +
        about() + choose() +
        (key === "credit_code" && applicantValues().id_number
          ? `&agent=${encodeURIComponent(applicantValues().id_number)}` : "")),
      api("GET", `/api/applicants/${encodeURIComponent(ref)}`),
    ]);
    spec = found;
    renderForm(typed);
    renderMaterials(states);
    renderApplicantInfo(held);
    renderChoices(spec.records_to_choose || []);
    const down = (spec.sources_unavailable || []).map((u) => u.kind);
    OneThing.flash(`已按 ${ref} 查询共享数据：预填 ${Object.keys(spec.prefilled).length} 项，` +
      `持有电子证照 ${spec.licences_held.length} 种。` +
      (down.length ? `以下数据源暂未响应，相关字段请手工填写：${down.map((k) => sourceNames[k] || k).join("、")}。` : ""),
      down.length ? "warn" : "info");
  }, form));

  function renderApplicantInfo(held) {
    const names = held.licences.map((l) => `${(licences[l.type] && licences[l.type].name) || l.type}（${l.number}）`);
    fill("#applicant-info",
      h("p", {}, names.length ? `持有的电子证照：${names.join("、")}` : "未查到该申请人的电子证照。"),
      held.bad_credit.length ? h("p", { class: "notice error" },
        `该申请人有 ${held.bad_credit.length} 条失信记录在有效期内，不适用容缺受理：`,
        held.bad_credit.map((c) => c.reason).join("；")) : null);
  }

  /* The value each form field gets on the server besides what is typed: pre-filled from shared
     data, or copied from the applicant block. */
  function knownValues(applicant) {
    const known = Object.fromEntries(Object.entries(spec.prefilled || {}).map(([key, p]) => [key, p.value]));
    return { ...known, ...ApplicantBlock.formValues(subject, applicant) };
  }

  function errorLabel(field) {
    const [part, key] = [field.slice(0, field.indexOf(".")), field.slice(field.indexOf(".") + 1)];
    if (part === "applicant") return (subject.applicant_fields.find((f) => f.key === key) || {}).label || key;
    if (part === "form") return (spec.schema.properties[key] || {}).title || key;
    if (part === "materials") return (spec.materials.find((m) => m.key === key) || {}).name || key;
    return field;
  }

  function showFieldErrors(message, fieldErrors) {
    IntakeFeedback.show(form, message, fieldErrors, errorLabel);
  }

  /* The whole acceptance is checked in one round before it is sent; the server's field errors are
     shown the same way. */
  function clientErrors(applicant, values, states) {
    const found = {
      ...IntakeFeedback.applicant(subject, applicant),
      ...IntakeFeedback.form(spec, values, knownValues(applicant)),
      ...IntakeFeedback.materials(spec, states),
    };
    const fields = Object.keys(found);
    const parts = [];
    if (fields.some((f) => f.startsWith("applicant."))) parts.push("申请人信息不完整或有误");
    if (fields.some((f) => !f.startsWith("applicant."))) parts.push("申请表或材料清单不完整或有误");
    return { found, message: `${parts.join("；")}，请按字段提示补正` };
  }

  // Enter in a field never accepts the case: only the accept button does.
  form.addEventListener("submit", (event) => event.preventDefault());
  const accept = document.getElementById("accept");
  accept.addEventListener("click", () => busy(accept, async () => {
    clearErrors(form);
    OneThing.clearFlash();
    const body = { bundle: code, applicant: applicantValues(), form: currentValues(), materials: materialStates(), draft,
      choose: picksFor === ApplicantBlock.lookupRef(subject, applicantValues()).ref + about() ? picks : {} };
    if (bookingId) body.booking = bookingId;
    else if (ticketId) body.ticket = ticketId;
    body.place = form.elements.place.value;
    if (asAgent) body.mandate = form.elements.mandate.value;
    if (handover.value && (!mine || handover.value !== mine.code)) body.handover_point = handover.value;
    const { found, message } = clientErrors(body.applicant, body.form, body.materials);
    if (Object.keys(found).length) {
      showFieldErrors(message, found);
      return;
    }
    form.dataset.key = form.dataset.key || OneThing.newKey();
    let started;
    try {
      started = await api("POST", "/api/cases", body, { key: form.dataset.key });
    } catch (err) {
      if (!(err instanceof OneThing.ApiError) || !Object.keys(err.fieldErrors).length) throw err;
      showFieldErrors(err.message, err.fieldErrors);
      return;
    }
    delete form.dataset.key;
    const failed = await uploadScans(started.number);
    if (failed.length) {
      OneThing.flash(`办件 ${started.number} 已受理，但以下扫描件未能上传，请在办件详情页重新上传：${failed.join("；")}`, "error");
      fill("#intake-done", h("a", { class: "button primary", href: `/app/cases/${encodeURIComponent(started.number)}#case-files` },
        "前往办件详情上传扫描件"));
      accept.disabled = true;
      return;
    }
    location.assign(`/app/cases/${encodeURIComponent(started.number)}/receipt`);
  }, form));
});
