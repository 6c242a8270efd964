/* Pieces of a case shown on several pages (the case, a department's task, the pickup): its form
   with the catalogue's labels, its materials, its items' progress, the materials handed on inside
   the case, its timeline and its results. */
"use strict";
const CaseBits = (() => {
  const { api, h, fill, labels, badge, formatDateTime, formatDate, table, clockBadge, departmentName } = OneThing;
  let catalogue = null;

  /* Field labels and material names from the catalogue (every signed-in role may read it). */
  async function loadCatalogue() {
    if (!catalogue) {
      const [fields, materials] = await Promise.all([api("GET", "/api/catalogue/fields"), api("GET", "/api/catalogue/materials")]);
      catalogue = { fields, materials };
    }
    return catalogue;
  }

  function materialName(key) {
    return (catalogue && catalogue.materials[key] && catalogue.materials[key].name) || key;
  }

  function fieldLabel(key) {
    return (catalogue && catalogue.fields[key] && catalogue.fields[key].label) || key;
  }

  /* A person by their name (the case's people, by login); "系统" for the engine itself; the login
     only for someone who is no longer a user. */
  function personName(c, login) {
    if (!login) return "—";
    if (login === "system") return "系统";
    return (c.people && c.people[login]) || login;
  }

  function show(value) {
    if (value === true) return "是";
    if (value === false) return "否";
    if (Array.isArray(value)) return value.join("、");
    if (value === null || value === undefined || value === "") return "—";
    return String(value);
  }

  function summary(c) {
    const applicant = c.applicant || {};
    return h("dl", { class: "summary" },
      h("div", {}, h("dt", {}, "办件编号"), h("dd", { class: "case-number" }, c.number)),
      h("div", {}, h("dt", {}, "一件事"), h("dd", {}, c.bundle_name)),
      h("div", {}, h("dt", {}, "状态"), h("dd", {}, badge(labels.caseStatus[c.status] || c.status, c.status),
        c.clock ? [" ", clockBadge(c.clock)] : null)),
      h("div", {}, h("dt", {}, "申请人"), h("dd", {}, `${applicant.name || ""}　${applicant.id_number || ""}　${applicant.phone || ""}`,
        applicant.relation ? `（与子女关系：${applicant.relation}）` : null,
        c.personal_data === "masked" ? h("span", { class: "muted" }, "（已脱敏）") : null)),
      applicant.entity_name ? h("div", {}, h("dt", {}, "企业名称"), h("dd", {}, applicant.entity_name,
        applicant.credit_code ? `（统一社会信用代码 ${applicant.credit_code}）` : null)) : null,
      h("div", {}, h("dt", {}, "受理"), h("dd", {}, `${formatDateTime(c.accepted_at)}，${personName(c, c.accepted_by)}，${labels.channel[c.channel] || c.channel}`)),
      h("div", {}, h("dt", {}, "承诺办结日期"), h("dd", {}, formatDate(c.receipt && c.receipt.promised_by))),
      c.materials_due ? h("div", {}, h("dt", {}, "容缺材料补交期限"), h("dd", {}, formatDateTime(c.materials_due))) : null,
      c.closed_at ? h("div", {}, h("dt", {}, "办结时间"), h("dd", {}, formatDateTime(c.closed_at))) : null);
  }

  function items(c) {
    return table(["事项", "部门", "状态", "决定", "补正", "证照编号/理由"], c.items.map((i) => [
      i.name, i.department_name, badge(labels.itemStatus[i.status] || i.status, i.status),
      i.decided_by ? `${personName(c, i.decided_by)} ${formatDateTime(i.decided_at)}` : "—",
      i.corrections ? `${i.corrections} 次` + (i.materials_requested.length ? `：${i.materials_requested.map(materialName).join("、")}` : "") : "—",
      i.licence_number || i.reason || "—",
    ]));
  }

  function openTasks(c) {
    return table(["任务", "部门", "类型", "状态", "办理人", "时限"], c.open_tasks.map((t) => [
      t.title || t.name, departmentName(t.department, departmentsOf(c)), labels.taskKind[t.kind] || t.kind,
      labels.taskState[t.state] || t.state, t.assignee_name || personName(c, t.assignee), clockBadge(t.clock),
    ]), "没有待办任务");
  }

  function departmentsOf(c) {
    return Object.fromEntries((c.departments || []).map((d) => [d.code, d.name]));
  }

  const formGroups = {}; // bundle code -> the promise of its unified form's groups (from its guide)

  function groupsOf(bundle) {
    if (!formGroups[bundle]) {
      formGroups[bundle] = api("GET", `/api/bundles/${encodeURIComponent(bundle)}/guide`)
        .then((g) => g.form.groups).catch(() => []);
    }
    return formGroups[bundle];
  }

  /* The case's form as the unified form shows it: by its groups, in its order, with the catalogue's
     labels; fields the form no longer has (a later version of the bundle) come last under "其他". */
  function form(c, only = null) {
    const box = h("div", { class: "case-form" }, h("p", { class: "muted" }, "正在加载…"));
    groupsOf(c.bundle).then((groups) => fill(box, formByGroups(c, only, groups)));
    return box;
  }

  function formByGroups(c, only, groups) {
    const wanted = Object.keys(c.form || {}).filter((k) => !only || only.includes(k));
    const placed = new Set(groups.flatMap((g) => g.fields));
    const rest = wanted.filter((k) => !placed.has(k));
    const shown = [...groups.map((g) => ({ title: g.title, fields: g.fields.filter((k) => wanted.includes(k)) })),
      { title: "其他", fields: rest }].filter((g) => g.fields.length);
    if (!shown.length) return h("p", { class: "empty" }, "没有表单内容");
    const prefilled = new Set(c.prefilled || []);
    return shown.map((g) => h("section", { class: "form-group", dataset: { group: g.title } }, h("h3", {}, g.title),
      table(["字段", "填写内容", ""], g.fields.map((k) => [fieldLabel(k), show(c.form[k]),
        prefilled.has(k) ? badge("预填", "prefill") : ""]))));
  }

  function materials(c, only = null) {
    const keys = Object.keys(c.materials || {}).filter((k) => !only || only.includes(k));
    return table(["材料", "情况"], keys.map((k) => [materialName(k),
      badge(labels.material[c.materials[k]] || c.materials[k], c.materials[k] === "tolerated" ? "yellow" : "green")]));
  }

  function itemName(c, code) {
    const item = code && c.items.find((i) => i.code === code);
    return item ? item.name : code || "—";
  }

  /* The materials an item received from its prerequisites inside the case (an OutputsLinked
     event's materials: {material, name, from_item, licence_number}). */
  function linkedMaterials(c, linked) {
    return table(["材料", "核发事项", "证照编号"], (linked || []).map((m) => [m.name || materialName(m.material),
      itemName(c, m.from_item), m.licence_number || "—"]), "无");
  }

  function linkedText(c, linked) {
    return linked.map((m) => `${m.name || materialName(m.material)}（由“${itemName(c, m.from_item)}”核发` +
      (m.licence_number ? `，编号 ${m.licence_number}` : "") + "）").join("、");
  }

  const CJK = /[\u4e00-\u9fff]/;

  /* A reassignment names both people: their names as recorded with the event, else their logins
     (events recorded before the names were). */
  function assignedText(d) {
    const to = d.to_name || d.to || "—";
    return d.from ? `由 ${d.from_name || d.from} 改派给 ${to}` : `指派给 ${to}`;
  }

  /* 会商意见: the text, the comment it answers (by its author) and the departments asked to read it. */
  function commentText(d, c) {
    const answered = d.reply_to && c.timeline.find((x) => x.seq === d.reply_to);
    const to = answered ? `回复${(answered.data && answered.data.author_name) || "会商意见"}：` : "";
    const asked = Array.isArray(d.mention) && d.mention.length
      ? `（提请${d.mention.map((m) => departmentName(m, departmentsOf(c))).join("、")}阅看）` : "";
    return `${to}${d.text || ""}${asked}`;
  }

  function eventText(e, c) {
    const d = e.data || {};
    const parts = [];
    const item = d.item && c.items.find((i) => i.code === d.item);
    if (item) parts.push(item.name);
    else if (typeof d.task === "string" && CJK.test(d.task)) parts.push(d.task);
    if (e.type === "TaskAssigned") parts.push(assignedText(d));
    if (d.reason) parts.push(`理由：${d.reason}`);
    if (e.type === "OutputsLinked") {
      parts.push(`联动取得（申请人无需提交）：${linkedText(c, d.materials || [])}`);
    } else if (Array.isArray(d.materials) && d.materials.length) {
      parts.push(`材料：${d.materials.map(materialName).join("、")}`);
    }
    if (Array.isArray(d.supplied) && d.supplied.length) parts.push(`已补：${d.supplied.map(materialName).join("、")}`);
    if (e.type === "MaterialFilesAdded") {
      parts.push(`${materialName(d.material)} 第 ${d.version} 版，${(d.files || []).length} 个文件`);
    }
    if (d.notes && typeof d.notes === "object") {
      parts.push(Object.entries(d.notes).map(([k, note]) => `${materialName(k)}：${note}`).join("；"));
    }
    if (d.licence_number) parts.push(`证照编号 ${d.licence_number}`);
    if (d.rating_label) parts.push(`评价：${d.rating_label}`);
    if (d.procedure) parts.push(labels.procedure[d.procedure] || d.procedure);
    if (e.type === "CommentAdded") parts.push(commentText(d, c));
    if (d.colour) parts.push(labels.colour[d.colour] || d.colour);
    return parts.join("，");
  }

  function timeline(c) {
    return h("ol", { class: "timeline" }, c.timeline.map((e) => h("li", {},
      h("time", {}, formatDateTime(e.at)), h("strong", {}, labels.event[e.type] || "其他事件"), " ",
      e.who.user === "system" ? "系统" : `${e.who.name || personName(c, e.who.user)}（${departmentName(e.who.department, departmentsOf(c))}）`,
      eventText(e, c) ? `：${eventText(e, c)}` : "")));
  }

  function results(c) {
    return h("div", {},
      h("h3", {}, `准予许可（${c.results.granted.length}）`),
      table(["事项", "部门", "证照编号"], c.results.granted.map((i) => [i.name, i.department_name, i.licence_number || "—"]), "无"),
      h("h3", {}, `不予许可（${c.results.refused.length}）`),
      table(["事项", "部门", "不予许可理由"], c.results.refused.map((i) => [i.name, i.department_name, i.reason || "—"]), "无"),
      h("h3", {}, `不再办理（${notApplicable(c).length}）`),
      notApplicable(c).length ? h("p", { class: "muted" }, "前置事项未获准予的，其后的事项不再办理，不作出许可决定。") : null,
      table(["事项", "部门", "原因"], notApplicable(c).map((i) => [i.name, i.department_name, i.reason || "—"]), "无"));
  }

  /* Items not decided because a prerequisite was refused (older answers have no such list). */
  function notApplicable(c) {
    return (c.results && c.results.not_applicable) || c.items.filter((i) => i.status === "not_applicable");
  }

  return {
    loadCatalogue, materialName, fieldLabel, personName, summary, items, openTasks, form, materials, linkedMaterials, timeline,
    results, notApplicable,
  };
})();
