/* 网上申请, phone first: the signed-in applicant fills the bundle's unified form and checklist, uploads
   each material's scans, signs the commitment (告知承诺) for the materials it replaces, chooses how
   the results should reach them, saves a draft and submits it to the window's 网上预审. A returned
   application shows the window's notice of everything to fix, and is fixed here and submitted again. */
"use strict";
(async () => {
  const { api, h, fill, busy, flash, clearErrors, formatDateTime } = OneThing;
  const quiet = { stayOnPage: true };
  const code = document.body.dataset.code;
  const form = document.getElementById("apply");
  let id = Number(new URLSearchParams(location.search).get("id")) || null;

  let me = null;
  try {
    me = await api("GET", "/api/auth/me", undefined, quiet);
  } catch (err) {
    me = null;
  }
  if (!me || !(me.roles || []).includes("applicant")) {
    document.getElementById("apply-sign-in").hidden = false;
    document.getElementById("apply-login").href = `/my?next=${encodeURIComponent(location.pathname + location.search)}`;
    return;
  }

  let guide;
  try {
    guide = await api("GET", `/api/public/bundles/${encodeURIComponent(code)}/guide`, undefined, quiet);
  } catch (err) {
    fill("#apply-title", err.status === 404 ? "没有这个一件事" : "网上申请");
    OneThing.showError(err);
    return;
  }
  const schema = guide.form.schema;
  const fillable = new Set((guide.shared_data && guide.shared_data.fields_by_registry) || []);
  const DELIVERIES = [["online", "电子证照", "办结后发放到本账户，可随时下载，无需跑腿"],
    ["mail", "邮寄送达", "寄送到您填写的地址"], ["window", "窗口领取", "办结后预约时段到综合窗口领取"]];
  let application = null;
  let files = {};

  document.title = `网上申请：${guide.name} · 政务服务`;
  fill("#apply-title", `网上申请：${guide.name}`);
  fill("#apply-subject", `申请主体：${guide.subject.label}。手机号码为您登录的号码；代他人申请时填写申请人本人的。`);
  fill("#applicant-fields", ApplicantBlock.fields(guide.subject));
  const phone = form.elements["applicant.phone"];
  const onBehalf = document.getElementById("on-behalf");
  /* One's own application carries one's own number; an agent gives the applicant's. */
  function ownNumber() {
    if (!phone) return;
    if (onBehalf.checked) {
      if (phone.readOnly) phone.value = "";
      phone.readOnly = false;
    } else {
      Object.assign(phone, { value: me.login, readOnly: true });
    }
  }
  onBehalf.addEventListener("change", () => {
    ownNumber();
    const id = form.elements["applicant.id_number"];
    if (id && mine.verified) Object.assign(id, onBehalf.checked ? { value: "", readOnly: false }
      : { value: mine.id_number, readOnly: true });
  });
  ownNumber();
  fill("#commitment-text", "");

  /* 实名认证 by the identity service: the registries' values for this applicant (none otherwise). */
  const mine = await api("GET", `/api/applicant/applications/prefill?bundle=${encodeURIComponent(code)}`, undefined,
    quiet).catch(() => ({ verified: false, prefilled: {} }));

  function renderForm(values) {
    const required = new Set(schema.required || []);
    fill("#form-summary", `共 ${guide.form.fields_unified} 项，带 * 的为必填项。标注“共享数据”的 ${fillable.size} 项可先不填：` +
      "受理时按您的身份证件号码从政府已有数据自动填写；政府数据中没有的，预审时会一次性告知您补充。");
    fill("#form-groups", guide.form.groups.map((group) => h("fieldset", {}, h("legend", {}, group.title),
      h("div", { class: "fields" }, group.fields.map((key) => {
        const prop = schema.properties[key];
        const shared = fillable.has(key);
        const known = values[key] === undefined ? mine.prefilled[key] : undefined;
        return h("div", { class: `field${known ? " prefilled" : ""}`, dataset: { key } },
          h("label", { for: `f-${key}`, "data-label-for": `form.${key}` }, prop.title,
            required.has(key) && !shared ? "*" : "",
            known ? h("span", { class: "badge prefill" }, `已预填 · ${known.label || "电子证照"}`)
              : shared ? h("span", { class: "badge prefill" }, "共享数据") : null),
          UnifiedForm.widget(key, prop, known ? known.value : values[key]),
          h("span", { class: "error", "data-error-for": `form.${key}` }));
      })))));
  }

  function choices(m) {
    const found = [["submitted", "上传材料"]];
    if (m.elicence) found.push(["elicence", "已有电子证照，免提交"]);
    if (m.registry) found.push(["shared", "由政府已有数据核验，免提交"]);
    if (m.commitment_allowed) found.push(["commitment", "告知承诺，免提交"]);
    if (m.kind === "secondary" && guide.tolerance_days !== null && guide.tolerance_days !== undefined) {
      found.push(["tolerated", `暂缺，受理后 ${guide.tolerance_days} 个工作日内补交`]);
    }
    return found;
  }

  function uploaded(key) {
    const list = files[key] || [];
    return list.length ? h("p", { class: "hint" }, `已上传：${list.map((f) => `${f.filename}（${f.pages} 页）`).join("、")}`)
      : h("p", { class: "hint muted" }, "尚未上传");
  }

  function renderMaterials(states) {
    fill("#materials", guide.materials.map((m) => {
      const name = `material:${m.key}`;
      const state = states[m.key] || "submitted";
      const { input, button } = OneThing.filePicker("拍照或选择文件上传", { multiple: true,
        accept: "image/jpeg,image/png,application/pdf", "aria-label": `${m.name}：上传` });
      input.addEventListener("change", () => busy(null, () => upload(m, input), form));
      const box = h("li", { class: "card material", dataset: { material: m.key } },
        h("p", {}, h("strong", { "data-label-for": `materials.${m.key}` }, m.name), " ",
          OneThing.badge(m.kind === "key" ? "主要材料" : "次要材料")),
        h("div", { class: "choices stacked" }, choices(m).map(([value, text]) => h("label", {},
          h("input", { type: "radio", name, value, checked: state === value }), text))),
        h("div", { class: "upload", hidden: state !== "submitted" }, button, h("div", { class: "uploaded" }, uploaded(m.key))),
        h("span", { class: "error", "data-error-for": `materials.${m.key}` }));
      for (const radio of box.querySelectorAll("input[type=radio]")) {
        radio.addEventListener("change", () => {
          box.querySelector(".upload").hidden = radio.value !== "submitted";
          showCommitment();
        });
      }
      return box;
    }));
  }

  function renderDelivery(chosen) {
    fill("#delivery-choices", DELIVERIES.map(([value, text, hint]) => h("label", {},
      h("input", { type: "radio", name: "delivery", value, checked: chosen && chosen.delivery === value }),
      h("span", {}, text, h("span", { class: "hint muted" }, `　${hint}`)))));
    form.elements.address.value = (chosen && chosen.address) || "";
    const showAddress = () => {
      const picked = form.querySelector("input[name=delivery]:checked");
      document.getElementById("address-field").hidden = !picked || picked.value !== "mail";
    };
    for (const radio of form.querySelectorAll("input[name=delivery]")) radio.addEventListener("change", showAddress);
    showAddress();
  }

  function states() {
    const found = {};
    for (const m of guide.materials) {
      const picked = form.querySelector(`input[name="material:${CSS.escape(m.key)}"]:checked`);
      if (picked) found[m.key] = picked.value;
    }
    return found;
  }

  function showCommitment() {
    const promised = guide.materials.filter((m) => states()[m.key] === "commitment");
    document.getElementById("commitment").hidden = !promised.length;
    fill("#commitment-materials", promised.length ? `承诺代替的材料：${promised.map((m) => m.name).join("、")}` : "");
  }

  function body() {
    const values = {};
    for (const key of Object.keys(schema.properties)) {
      const value = UnifiedForm.read(form, schema.properties[key], key);
      if (value !== undefined) values[key] = value;
    }
    const delivery = form.querySelector("input[name=delivery]:checked");
    return { bundle: code, applicant: ApplicantBlock.values(form, guide.subject), form: values, materials: states(),
      delivery: delivery ? delivery.value : null, address: form.elements.address.value.trim(), on_behalf: onBehalf.checked };
  }

  async function save() {
    clearErrors(form);
    application = id ? await api("PUT", `/api/applicant/applications/${id}`, body(), quiet)
      : await api("POST", "/api/applicant/applications", body(), quiet);
    if (!id) {
      id = application.id;
      history.replaceState(null, "", `/apply/${encodeURIComponent(code)}?id=${id}`);
    }
    return application;
  }

  async function upload(m, input) {
    if (!input.files.length) return;
    if (!id) await save();
    const data = new FormData();
    for (const file of input.files) data.append("file", file, file.name);
    const answer = await api("POST", `/api/applicant/applications/${id}/materials/${encodeURIComponent(m.key)}/files`,
      data, quiet);
    files[m.key] = answer.materials[m.key] || [];
    fill(form.querySelector(`[data-material="${CSS.escape(m.key)}"] .uploaded`), uploaded(m.key));
    input.value = "";
    flash(`${m.name}：已上传 ${files[m.key].length} 个文件`);
  }

  function showState(a) {
    const box = document.getElementById("apply-state");
    const editable = !a || a.status === "draft" || a.status === "returned";
    for (const control of form.querySelectorAll("input, select, textarea, button")) {
      if (control.name !== "applicant.phone" || onBehalf.checked) control.disabled = !editable;
    }
    if (!a || a.status === "draft") {
      box.hidden = !a;
      if (a) fill(box, h("p", {}, `草稿已保存（${formatDateTime(a.updated_at)}），可继续填写后提交预审。`));
      return;
    }
    box.hidden = false;
    const back = h("a", { href: "/my" }, "返回我的办件");
    if (a.status === "returned") {
      fill(box, h("div", { class: "notice warn" }, h("strong", {}, "窗口预审退回，请按以下意见一次修改后重新提交："),
        h("p", {}, a.notice)));
    } else if (a.status === "submitted") {
      fill(box, h("div", { class: "notice ok" }, h("strong", {}, "已提交网上预审"),
        h("p", {}, `提交时间 ${formatDateTime(a.submitted_at)}。综合窗口审核后会以短信通知您。`), back));
    } else {
      fill(box, h("div", { class: "notice ok" }, h("strong", {}, `已受理，办件编号 ${a.case_number}`),
        h("p", {}, "可在“我的办件”查看办理进度。"), back));
    }
  }

  if (id) {
    const mine = await api("GET", "/api/applicant/applications", undefined, quiet);
    application = mine.applications.find((a) => a.id === id) || null;
    if (!application || application.bundle !== code) {
      id = null;
      application = null;
    } else {
      files = (await api("GET", `/api/applicant/applications/${id}/files`, undefined, quiet)).materials;
    }
  }
  fill("#commitment-text", (application && application.commitment_text)
    || "本人已知晓办事指南告知的条件和要求，所作承诺真实有效；如承诺不实，愿意承担相应法律责任，相关许可可依法撤销。");
  onBehalf.checked = Boolean(application && application.on_behalf);
  ownNumber();
  const idNumber = form.elements["applicant.id_number"];
  if (mine.verified && idNumber && !onBehalf.checked) Object.assign(idNumber, { value: mine.id_number, readOnly: true });
  for (const [key, value] of Object.entries((application && application.applicant) || {})) {
    const input = form.elements[`applicant.${key}`];
    if (input && (key !== "phone" || onBehalf.checked)) input.value = value;
  }
  renderForm((application && application.form) || {});
  renderMaterials((application && application.materials) || {});
  renderDelivery(application && application.delivery);
  showCommitment();
  form.hidden = false;
  showState(application);

  document.getElementById("save").addEventListener("click", (event) => busy(event.target, async () => {
    showState(await save());
    flash("草稿已保存");
  }, form));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("submit"), async () => {
      await save();
      const promised = !document.getElementById("commitment").hidden;
      application = await api("POST", `/api/applicant/applications/${id}/submit`,
        { signed_by: promised ? form.elements.signed_by.value.trim() : "" }, quiet);
      showState(application);
      flash("已提交网上预审，请留意短信通知");
      window.scrollTo({ top: 0 });
    }, form);
  });
})();
