/* The intake's feedback. Its checks before anything is sent: the applicant block, the unified form
   and the material checklist, all in one round, with the server's own Chinese messages (forms/subjects.py,
   forms/unified.py, forms/checklist.py). They are a subset of the server's checks: what they refuse
   the server would refuse too, and the server still has the last word. Each answers
   {"applicant.<key>" | "form.<key>" | "materials.<key>": message}. And how errors are shown: each
   beside its field, a summary at the top, the first invalid field focused. */
"use strict";
const IntakeFeedback = (() => {
  const { h } = OneThing;
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const ID_CHECK = "10X98765432";
  const USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const PHONE_MESSAGE = "联系电话无效：应为 11 位手机号或带区号的固定电话";
  const ID_MESSAGE = "居民身份证号码无效（长度、出生日期或校验位不符）";
  const USCC_MESSAGE = "统一社会信用代码无效（长度、字符或校验位不符）";

  function isRealDate(year, month, day) {
    const d = new Date(Date.UTC(year, month - 1, day));
    return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  }

  /* GB 11643: 18 characters, a real birth date and the check digit. */
  function isResidentId(value) {
    const id = value.toUpperCase();
    if (!/^\d{17}[\dX]$/.test(id)) return false;
    if (!isRealDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
    const total = ID_WEIGHTS.reduce((sum, w, i) => sum + Number(id[i]) * w, 0);
    return ID_CHECK[total % 11] === id[17];
  }

  /* GB 32100: 18 of the 31 characters with the check character. */
  function isCreditCode(value) {
    const code = value.toUpperCase();
    if (code.length !== 18 || [...code].some((c) => !USCC_CHARS.includes(c))) return false;
    const total = USCC_WEIGHTS.reduce((sum, w, i) => sum + USCC_CHARS.indexOf(code[i]) * w, 0);
    return USCC_CHARS[(31 - (total % 31)) % 31] === code[17];
  }

  function isPhone(value) {
    return /^1[3-9]\d{9}$/.test(value) || /^0\d{2,3}-?\d{7,8}$/.test(value);
  }

  /* The applicant block: `values` are the typed values by key (empty ones left out). */
  function applicant(subject, values) {
    const errors = {};
    for (const f of subject.applicant_fields) {
      const value = values[f.key];
      let problem = null;
      if (value === undefined || value === "") problem = f.required ? "必填" : null;
      else if (value.length > f.max_length) problem = `${f.label}不能超过 ${f.max_length} 个字符`;
      else if (f.type === "id_number" && !isResidentId(value)) problem = ID_MESSAGE;
      else if (f.type === "phone" && !isPhone(value)) problem = PHONE_MESSAGE;
      else if (f.type === "credit_code" && !isCreditCode(value)) problem = USCC_MESSAGE;
      else if (f.type === "enum" && !(f.options || []).includes(value)) problem = `应为以下之一：${(f.options || []).join("、")}`;
      if (problem) errors[`applicant.${f.key}`] = problem;
    }
    return errors;
  }

  function rangeProblem(prop, value) {
    const { minimum: min, maximum: max } = prop;
    if (min !== undefined && max !== undefined && !(min <= value && value <= max)) return `应在 ${min} 至 ${max} 之间`;
    if (min !== undefined && value < min) return `不能小于 ${min}`;
    if (max !== undefined && value > max) return `不能大于 ${max}`;
    return null;
  }

  function fieldProblem(prop, value) {
    switch (prop["x-type"]) {
      case "string":
      case "text":
        return prop.maxLength !== undefined && value.length > prop.maxLength
          ? `不能超过 ${prop.maxLength} 个字符（当前 ${value.length} 个）` : null;
      case "integer":
        return Number.isInteger(value) ? rangeProblem(prop, value) : "应为整数";
      case "number":
        return typeof value === "number" && Number.isFinite(value) ? rangeProblem(prop, value) : "应为数字";
      case "date": {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return "日期应按 年-月-日 填写，如 2026-12-04";
        const [y, m, d] = value.split("-").map(Number);
        return isRealDate(y, m, d) ? null : `日期无效：${value} 不存在`;
      }
      case "enum":
        return prop.enum.includes(value) ? null : `应为以下选项之一：${prop.enum.join("、")}`;
      case "id_number":
        return isResidentId(value) ? null : ID_MESSAGE;
      case "credit_code":
        return isCreditCode(value) ? null : USCC_MESSAGE;
      case "phone":
        return isPhone(value) ? null : PHONE_MESSAGE;
      default:
        return null;
    }
  }

  /* The unified form: `values` as they will be sent; `known` are the values the server adds
     itself (pre-filled from shared data, copied from the applicant block). */
  function form(spec, values, known) {
    const errors = {};
    const required = new Set(spec.schema.required || []);
    for (const [key, prop] of Object.entries(spec.schema.properties)) {
      const value = values[key];
      let problem;
      if (value === undefined) problem = required.has(key) && known[key] === undefined ? "必填" : null;
      else problem = fieldProblem(prop, value);
      if (problem) errors[`form.${key}`] = problem;
    }
    return errors;
  }

  /* The checklist: every material needs a state unless an e-licence the applicant holds waives it. */
  function materials(spec, states) {
    const errors = {};
    for (const m of spec.materials) {
      if (states[m.key] || m.waived_by_elicence || m.waived_by_record) continue;
      errors[`materials.${m.key}`] = m.kind === "key" ? `缺少主要材料：${m.name}` : `缺少材料：${m.name}`;
    }
    return errors;
  }

  /* Every field error beside its field; at the top the message and a summary listing them in the
     page's order (each a link to its field); the first invalid field scrolled to and focused.
     `label(field)` names a field in Chinese. */
  function show(scope, message, fieldErrors, label) {
    OneThing.showError(new OneThing.ApiError(422, { message_zh: message, errors: fieldErrors }), scope);
    const slots = [...scope.querySelectorAll("[data-error-for]")].filter((slot) => slot.textContent !== "");
    const placed = new Set(slots.map((slot) => slot.dataset.errorFor));
    const links = slots.map((slot) => h("li", {}, h("a", {
      href: "#", onclick: (event) => { event.preventDefault(); focus(controlOf(slot)); },
    }, `${label(slot.dataset.errorFor)}：${slot.textContent}`)));
    const unplaced = Object.entries(fieldErrors).filter(([field]) => !placed.has(field))
      .map(([field, text]) => h("li", {}, `${label(field)}：${text}`));
    const box = document.getElementById("flash");
    box.replaceChildren(h("div", { class: "notice error" }, h("p", {}, `${message}（共 ${slots.length + unplaced.length} 处）`),
      h("ul", { class: "error-summary" }, links, unplaced)));
    focus(slots.length ? controlOf(slots[0]) : box);
  }

  /* The control an error slot belongs to (a checklist row's first choice), else the slot itself. */
  function controlOf(slot) {
    return slot.closest(".field")?.querySelector("input:not([disabled]), select, textarea") || slot;
  }

  function focus(node) {
    node.scrollIntoView({ block: "center" });
    if (typeof node.focus === "function") node.focus({ preventScroll: true });
  }

  return { applicant, form, materials, show, isResidentId, isCreditCode, isPhone };
})();
