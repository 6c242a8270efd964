/* The acceptance receipt (受理回执): what the applicant takes home, printable; it says which
   materials the case issues and hands on itself (not to be brought), and, opened later, which items
   are no longer handled because a prerequisite was refused. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, param, labels, formatDate, formatDateTime, table } = OneThing;
  const ref = param("ref");
  await CaseBits.loadCatalogue();
  const c = await api("GET", `/api/cases/${encodeURIComponent(ref)}`);
  const guide = await api("GET", `/api/bundles/${encodeURIComponent(c.bundle)}/guide`).catch(() => ({ items: [] }));
  const issued = guide.items.flatMap((i) => (i.issues || []).map((m) => `${m.name}（由“${i.name}”核发）`));
  const ended = CaseBits.notApplicable(c);
  const r = c.receipt;
  document.title = `受理回执 ${r.case_number} · 一件事综合服务工作台`;
  document.getElementById("to-case").href = `/app/cases/${encodeURIComponent(c.number)}`;
  document.getElementById("print").addEventListener("click", () => window.print());
  const tolerated = Object.entries(c.materials || {}).filter(([, s]) => s === "tolerated").map(([k]) => CaseBits.materialName(k));
  fill("#receipt",
    h("h2", {}, `${r.bundle_name} 受理回执`),
    h("p", {}, "办件编号：", h("span", { class: "number", id: "receipt-number" }, r.case_number)),
    h("dl", {},
      h("dt", {}, "申请人"), h("dd", {}, r.applicant_name || "—"),
      h("dt", {}, "受理时间"), h("dd", {}, formatDateTime(r.accepted_at)),
      h("dt", {}, "受理人"), h("dd", {}, r.accepted_by_name || r.accepted_by),
      h("dt", {}, "受理渠道"), h("dd", {}, labels.channel[r.channel] || r.channel),
      h("dt", {}, "承诺办结日期"), h("dd", {}, r.promised_by ? `${formatDate(r.promised_by)} 前（遇特别程序顺延）` : "—")),
    h("h3", {}, "并联办理的事项"),
    table(["事项", "承办部门", "承诺时限"], r.items.map((i) => [i.name, i.department_name,
      i.promised_days === null || i.promised_days === undefined ? "—" : `${i.promised_days} 个工作日`])),
    ended.length ? h("div", { class: "notice warn", id: "receipt-not-applicable" },
      h("p", {}, `以下事项${labels.itemStatus.not_applicable}：`),
      h("ul", {}, ended.map((i) => h("li", {}, `${i.name}：${i.reason || "前置事项未获准予"}`)))) : null,
    h("h3", {}, "已收材料"),
    table(["材料", "情况"], Object.entries(c.materials || {}).map(([k, s]) => [CaseBits.materialName(k), labels.material[s] || s])),
    issued.length ? h("p", { id: "receipt-issued" }, `本件核发、部门间联动取得，申请人无需提交：${issued.join("、")}。`) : null,
    tolerated.length ? h("p", { class: "notice warn" }, `容缺受理：${tolerated.join("、")} 须于 ${formatDateTime(c.materials_due)} 前补交，逾期办件终止。`) : null,
    h("p", { class: "muted" }, "请凭办件编号查询办理进度。全部事项办结后，综合窗口统一出件（窗口领取、邮寄或电子证照），届时请对本次服务作出评价。"));
});
