/* The catalogue's shared dictionaries (form fields, materials, e-licence types, the applicants'
   notification templates): browse, add and
   change entries. The server validates every change against every bundle. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, table, ApiError } = OneThing;
  const kindSelect = document.getElementById("kind");
  const filter = document.getElementById("filter");
  const entryForm = document.getElementById("entry");
  const LEVELS = { city: "市级", county: "县（区）级", township: "乡镇（街道）", village: "村（社区）" };
  const DAYS = [["mon", "周一"], ["tue", "周二"], ["wed", "周三"], ["thu", "周四"], ["fri", "周五"], ["sat", "周六"], ["sun", "周日"]];
  const FIELD_TYPES = {
    string: "单行文本", text: "多行文本", integer: "整数", number: "数字", date: "日期", boolean: "是/否",
    enum: "单选", multi_enum: "多选", id_number: "身份证号码", credit_code: "统一社会信用代码", phone: "电话",
  };
  /* What each dictionary's editor asks for: [property, label, input kind, options]. Properties the
     editor does not know are kept as they are. */
  const SHAPES = {
    fields: [["label", "名称", "text"], ["type", "类型", "select", FIELD_TYPES], ["group", "分组（表单标题）", "text"],
      ["required", "必填", "checkbox"], ["max_length", "最大长度", "number"], ["min", "最小值", "number"], ["max", "最大值", "number"],
      ["options", "选项（每行一个）", "lines"], ["prefill", "预填来源（每行一个，依次尝试；如 person.name、licence.business_licence.entity_name；按表单中他人的证件号码查询时写 person.name@employee_id_number）", "lines"]],
    materials: [["name", "名称", "text"], ["elicence", "可替代的电子证照类型（编码）", "text"],
      ["registry", "可替代的共享数据类别（编码，如 marriage）", "text"], ["commitment", "可告知承诺替代", "checkbox"]],
    licences: [["name", "名称", "text"], ["holder", "持有人", "select", { person: "个人", enterprise: "企业" }],
      ["issuer", "发证部门（代码）", "text"], ["attributes", "预填的字段（编码，每行一个）", "lines"]],
    notifications: [["label", "名称", "text"], ["subject", "邮件标题", "text"],
      ["text", ["内容（可用的占位：", [["number", "办件编号"], ["bundle", "一件事"], ["item", "事项"], ["department", "部门"],
        ["materials", "材料"], ["reason", "理由"], ["due", "期限"], ["tracking", "快递单号"], ["code", "验证码"],
        ["minutes", "有效分钟"]].map(([k, what], n) => [n ? "、" : "", h("code", {}, `{${k}}`), what]), "）"], "textarea"],
      ["sms_template", "短信平台模板编号", "text"]],
    service_points: [["name", "名称", "text"], ["area", "地名简称（如 红旗区，用于分支机构的名称）", "text"],
      ["level", "层级", "select", LEVELS], ["parent", "上级服务点（编码）", "text"],
      ["address", "地址", "text"], ["windows", "窗口数", "number"],
      ["departments", "设有分支机构的部门（编码，每行一个；县区、乡镇服务点）", "lines"],
      ["bundles", "受理的一件事（编码，每行一个；不填为全部）", "lines"],
      ["hours", "办公时间（每行一天，如“周六 09:00-12:00”，不办公写“休息”）", "hours"]],
    work_orders: [["name", "名称", "text"], ["response_days", "响应时限（工作日，0 为当天）", "number"],
      ["reply_days", "答复时限（工作日）", "number"], ["close_days", "办结时限（工作日）", "number"]],
  };
  let entries = {};
  let editing = null;
  // Department names by code, for an e-licence's issuer.
  const departments = { window: "综合窗口", office: "政务服务管理办公室" };
  for (const b of await api("GET", "/api/bundles")) for (const i of b.items) departments[i.department] = i.department_name;

  async function load() {
    entries = await api("GET", `/api/catalogue/${kindSelect.value}`);
    render();
  }

  /* A prefill path as codes: the source, and whom it is about when a form field names someone. */
  function prefillPath(path) {
    const [source, about] = path.split("@");
    return about ? [h("code", {}, source), "（按 ", h("code", {}, about), "）"] : h("code", {}, source);
  }

  /* Codes the administrator types (keys, prefill sources) are shown as code; the rest by name. */
  function describe(kind, e) {
    if (kind === "fields") {
      const paths = Array.isArray(e.prefill) ? e.prefill : e.prefill ? [e.prefill] : [];
      return [`${FIELD_TYPES[e.type] || "未知类型"}；${e.group || ""}${e.required === false ? "；选填" : ""}`,
        paths.length ? ["；预填：", paths.map((p, i) => [i ? "、" : "", prefillPath(p)])] : null];
    }
    if (kind === "materials") {
      const parts = [e.elicence ? ["电子证照：", h("code", {}, e.elicence)] : null,
        e.registry ? ["共享数据：", h("code", {}, e.registry)] : null, e.commitment ? "可告知承诺" : null].filter(Boolean);
      return parts.length ? parts.map((p, i) => [i ? "；" : "", p]) : "—";
    }
    if (kind === "notifications") {  // the template's placeholders as the codes they are
      return String(e.text || "—").split(/(\{[a-z_]+\})/).map((part) => (/^\{[a-z_]+\}$/.test(part) ? h("code", {}, part) : part));
    }
    if (kind === "work_orders") {
      return `响应 ${e.response_days ? `${e.response_days} 个工作日` : "当天"}；答复 ${e.reply_days} 个工作日；办结 ${e.close_days} 个工作日`;
    }
    if (kind === "service_points") {
      const open = DAYS.filter(([d]) => e.hours && e.hours[d]).map(([, name]) => name).join("");
      return `${LEVELS[e.level] || e.level}；${e.parent ? `上级 ${e.parent}；` : ""}${e.windows || 1} 个窗口；办公：${open || "—"}`;
    }
    return `${e.holder === "person" ? "个人" : "企业"}；发证：${departments[e.issuer] || e.issuer || "—"}；${(e.attributes || []).length} 个字段`;
  }

  function render() {
    const kind = kindSelect.value;
    const needle = filter.value.trim();
    const keys = Object.keys(entries).sort().filter((k) => !needle || k.includes(needle) ||
      String(entries[k].label || entries[k].name || "").includes(needle));
    fill("#entries", h("p", { class: "muted" }, `共 ${keys.length} 条`), table(["编码", "名称", "说明", ""], keys.map((k) => [
      h("code", {}, k), entries[k].label || entries[k].name || "—", describe(kind, entries[k]),
      h("button", { type: "button", class: "link", onclick: () => edit(k) }, "编辑"),
    ])));
  }

  function input(kind, [prop, label, type, options], value) {
    const id = `entry-${prop}`;
    let control;
    if (type === "select") {
      control = h("select", { id, name: prop }, h("option", { value: "" }, "请选择"),
        Object.entries(options).map(([v, text]) => h("option", { value: v, selected: value === v }, text)));
    } else if (type === "checkbox") {
      control = h("input", { id, name: prop, type: "checkbox", checked: kind === "fields" && prop === "required" ? value !== false : Boolean(value) });
    } else if (type === "lines") {
      control = h("textarea", { id, name: prop, value: Array.isArray(value) ? value.join("\n") : typeof value === "string" ? value : "" });
    } else if (type === "hours") {
      const hours = value || {};
      control = h("textarea", { id, name: prop, rows: 7, value: DAYS.map(([d, name]) =>
        `${name} ${hours[d] ? hours[d].join("-") : "休息"}`).join("\n") });
    } else if (type === "textarea") {
      control = h("textarea", { id, name: prop, value: value ?? "" });
    } else {
      control = h("input", { id, name: prop, type: type === "number" ? "number" : "text", value: value ?? "" });
    }
    return h("div", { class: "field" }, h("label", { for: id, "data-label-for": `definition.${prop}` }, label), control,
      h("span", { class: "error", "data-error-for": `definition.${prop}` }));
  }

  function edit(key) {
    const kind = kindSelect.value;
    editing = key;
    const current = key ? entries[key] : {};
    fill("#entry-title", key ? ["编辑：", current.label || current.name || "", "（", h("code", {}, key), "）"] : "新增条目");
    entryForm.key.value = key || "";
    entryForm.key.disabled = Boolean(key);
    fill("#entry-fields", SHAPES[kind].map((shape) => input(kind, shape, current[shape[0]])));
    OneThing.clearErrors(entryForm);
    entryForm.hidden = false;
    entryForm.scrollIntoView({ block: "start" });
  }

  function definition(kind) {
    const result = { ...(editing ? entries[editing] : {}) };
    for (const [prop, , type] of SHAPES[kind]) {
      const control = entryForm.elements[prop];
      if (type === "checkbox") {
        if (control.checked) result[prop] = true;
        else if (kind === "fields" && prop === "required") result[prop] = false;
        else delete result[prop];
        continue;
      }
      const raw = control.value.trim();
      if (!raw) { delete result[prop]; continue; }
      if (type === "hours") result[prop] = parseHours(raw);
      else if (type === "lines") result[prop] = raw.split("\n").map((x) => x.trim()).filter(Boolean);
      else if (type === "number") result[prop] = Number(raw);
      else result[prop] = raw;
    }
    if (kind === "service_points" && !result.bundles) result.bundles = "all";
    return result;
  }

  /* "周六 09:00-12:00" per line into {"sat": ["09:00", "12:00"]}; "休息" is closed; a line the server
     cannot read is sent as it is, for its message. */
  function parseHours(raw) {
    const hours = {};
    for (const line of raw.split("\n").map((x) => x.trim()).filter(Boolean)) {
      const [name, span = ""] = line.split(/\s+/);
      const day = (DAYS.find(([, n]) => n === name) || [name])[0];
      hours[day] = span === "休息" ? null : span.split("-");
    }
    return hours;
  }

  /* The server keys an entry's own problems by property ("elicence") and the bundles it would
     break by their paths ("bundles.company_start.items"), whose messages say in words which bundle
     and item: the first go beside their input, the others are listed by their message alone. */
  function placed(err) {
    if (!(err instanceof ApiError)) return err;
    err.fieldErrors = Object.fromEntries(Object.entries(err.fieldErrors).map(([field, text]) => [
      field.startsWith("bundles.") ? `_${field}` : field === "key" || field.startsWith("definition") || field.startsWith("_")
        ? field : `definition.${field}`, text]));
    return err;
  }

  entryForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("save-entry"), async () => {
      const kind = kindSelect.value;
      const key = editing || entryForm.key.value.trim();
      if (!key) throw new ApiError(422, { message_zh: "请填写编码", errors: { key: ["必填"] } });
      await api("PUT", `/api/catalogue/${kind}/${encodeURIComponent(key)}`, { definition: definition(kind) })
        .catch((err) => { throw placed(err); });
      entryForm.hidden = true;
      await load();
      flash(`已保存 ${key}。`);
    }, entryForm);
  });
  document.getElementById("cancel-entry").addEventListener("click", () => { entryForm.hidden = true; });
  document.getElementById("add").addEventListener("click", () => edit(null));
  kindSelect.addEventListener("change", () => { entryForm.hidden = true; busy(null, load); });
  filter.addEventListener("input", render);
  await load();
});
