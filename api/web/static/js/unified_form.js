/* The unified form's controls, as the window's intake and the applicant's online application both
   draw them from the form's JSON Schema: one control per field by its type, and its value read back
   (a number as a number, yes/no as true/false, an unanswered field as undefined). */
"use strict";
const UnifiedForm = (() => {
  const { h } = OneThing;

  function widget(key, prop, value) {
    const type = prop["x-type"];
    const id = `f-${key}`;
    const name = `form.${key}`;
    if (type === "enum") {
      return h("select", { id, name }, h("option", { value: "" }, "请选择"),
        prop.enum.map((o) => h("option", { value: o, selected: value === o }, o)));
    }
    if (type === "multi_enum") {
      const chosen = Array.isArray(value) ? value : [];
      return h("div", { class: "choices", id }, prop.items.enum.map((o) => h("label", {},
        h("input", { type: "checkbox", name, value: o, checked: chosen.includes(o) }), o)));
    }
    if (type === "boolean") {
      return h("select", { id, name }, h("option", { value: "" }, "请选择"),
        h("option", { value: "true", selected: value === true }, "是"),
        h("option", { value: "false", selected: value === false }, "否"));
    }
    if (type === "text") return h("textarea", { id, name, value: value ?? "" });
    const attrs = { id, name, value: value ?? "", autocomplete: "off" };
    if (type === "integer" || type === "number") {
      Object.assign(attrs, { type: "number", step: type === "integer" ? "1" : "any", min: prop.minimum, max: prop.maximum,
        inputmode: type === "integer" ? "numeric" : "decimal" });
    } else if (type === "date") {
      Object.assign(attrs, OneThing.dateAttrs());
    } else {
      attrs.maxlength = prop.maxLength;
    }
    return h("input", attrs);
  }

  function read(form, prop, key) {
    const type = prop["x-type"];
    const name = `form.${key}`;
    if (type === "multi_enum") {
      const chosen = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
      return chosen.length ? chosen : undefined;
    }
    const input = form.elements[name];
    if (!input) return undefined;
    const raw = input.value.trim();
    if (raw === "") return undefined;
    if (type === "boolean") return raw === "true";
    if (type === "integer") return /^-?\d+$/.test(raw) ? Number.parseInt(raw, 10) : raw;
    if (type === "number") return Number.isFinite(Number(raw)) ? Number(raw) : raw;
    return raw;
  }

  return { widget, read };
})();
