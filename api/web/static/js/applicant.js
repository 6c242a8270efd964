/* The intake's applicant block, built from the bundle's subject (whom the bundle is about, as the
   guide answers it): its fields with their labels, required marks and controls, the values typed,
   the form fields those values fill, and the reference the shared data and e-licences are looked
   up by (an existing enterprise's credit code, otherwise the applicant's ID number). */
"use strict";
const ApplicantBlock = (() => {
  const { h } = OneThing;
  const CODE_LENGTH = 18; // a resident ID number and a credit code alike

  const HINTS = {
    id_number: "18 位，末位可为 X",
    credit_code: "营业执照上的 18 位代码",
    phone: "手机号或带区号的固定电话",
  };

  function control(f) {
    const id = `applicant-${f.key}`;
    const name = `applicant.${f.key}`;
    if (f.type === "enum") {
      return h("select", { id, name }, h("option", { value: "" }, "请选择"),
        (f.options || []).map((o) => h("option", { value: o }, o)));
    }
    const short = f.type === "id_number" || f.type === "credit_code";
    return h("input", {
      id, name, autocomplete: "off", type: f.type === "phone" ? "tel" : "text",
      maxlength: short ? Math.min(f.max_length || CODE_LENGTH, CODE_LENGTH) : f.max_length,
      spellcheck: short ? "false" : null,
    });
  }

  /* The block's fields, in the subject's order. */
  function fields(subject) {
    return subject.applicant_fields.map((f) => h("div", { class: "field", dataset: { key: f.key } },
      h("label", { for: `applicant-${f.key}`, "data-label-for": `applicant.${f.key}` }, f.label, f.required ? "*" : ""),
      control(f),
      HINTS[f.type] ? h("span", { class: "hint" }, HINTS[f.type]) : null,
      h("span", { class: "error", "data-error-for": `applicant.${f.key}` })));
  }

  /* Whom the bundle is about and what follows for the clerk. */
  function note(subject, fieldLabel) {
    const lookup = subject.kind === "enterprise" ? "统一社会信用代码" : "身份证号码";
    const issued = (subject.issued_fields || []).map(fieldLabel);
    return `申请主体：${subject.label}。查询共享数据和电子证照按申请人的${lookup}进行。` +
      (issued.length ? `${issued.join("、")}由本件核发的证照赋予，无需填写。` : "");
  }

  /* The values typed, by applicant key (empty ones left out). */
  function values(form, subject) {
    const found = {};
    for (const f of subject.applicant_fields) {
      const input = form.elements[`applicant.${f.key}`];
      const value = input ? input.value.trim() : "";
      if (value) found[f.key] = value;
    }
    return found;
  }

  /* The form fields the applicant block already answers: the same key, or for a parent the
     mother's or father's fields. */
  function formValues(subject, applicant) {
    const found = Object.fromEntries(Object.entries(applicant).filter(([k]) => k !== "relation"));
    // A parent who applies is that parent in the form too (the subject's relation_fields).
    const byRelation = subject.relation_fields || {};
    for (const [attribute, field] of Object.entries(byRelation[applicant.relation] || {})) {
      if (applicant[attribute]) found[field] = applicant[attribute];
    }
    return found;
  }

  /* What the shared data and e-licences are looked up by: {key, ref}, ref empty when not typed. */
  function lookupRef(subject, applicant) {
    const key = subject.kind === "enterprise" ? "credit_code" : "id_number";
    return { key, ref: applicant[key] || "" };
  }

  return { fields, note, values, formValues, lookupRef };
})();
