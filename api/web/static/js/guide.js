/* 办事指南 for anyone, no login, phone first and printable: the bundles one can apply for, then one
   bundle's guide told once (一次告知): what is decided by whom within how long, what it costs, every
   material (and which the government's own records or an e-licence replace), the form's questions. */
"use strict";
(async () => {
  const { api, h, fill, labels } = OneThing;
  const code = document.body.dataset.code;
  const get = (url) => api("GET", url, undefined, { stayOnPage: true });

  function days(n, instant) {
    return n === null || n === undefined ? instant : n === 0 ? "即办" : `${n} 个工作日`;
  }

  async function list() {
    const bundles = await get("/api/public/bundles");
    fill("#guide-title", "办事指南 · 一件事清单");
    fill("#guide-body", h("ul", { class: "guide-list" }, bundles.map((b) => h("li", { class: "card" },
      h("h2", {}, h("a", { href: `/guide/${encodeURIComponent(b.code)}` }, b.name)),
      h("p", {}, `${b.items.length} 个事项，${b.departments.join("、")}联合办理`),
      h("p", { class: "muted" }, b.items.join("、"))))));
  }

  function item(i) {
    return h("li", { class: "card guide-item" },
      h("h3", {}, i.name),
      h("dl", { class: "summary" },
        h("div", {}, h("dt", {}, "办理部门"), h("dd", {}, i.department_name)),
        h("div", {}, h("dt", {}, "法定时限"), h("dd", {}, days(i.statutory_days, "无"))),
        h("div", {}, h("dt", {}, "承诺时限"), h("dd", {}, days(i.promised_days, "即办"))),
        h("div", {}, h("dt", {}, "收费"), h("dd", {}, i.fee || "不收费")),
        i.basis ? h("div", {}, h("dt", {}, "依据"), h("dd", {}, i.basis.replace(/\[[A-Z][^\]]*\]\s*/g, ""))) : null));
  }

  function material(m, shared) {
    const ways = [m.elicence ? "可用电子证照代替" : null, shared[m.key] ? "可由政府已有的登记信息核验代替" : null,
      m.commitment_allowed ? "可告知承诺" : null].filter(Boolean);
    return h("li", {}, m.name, " ", OneThing.badge(labels.materialKind[m.kind] || m.kind),
      ways.length ? h("span", { class: "muted" }, `（${ways.join("；")}）`) : null);
  }

  async function guide() {
    const g = await get(`/api/public/bundles/${encodeURIComponent(code)}/guide`);
    document.title = `${g.name} · 办事指南`;
    fill("#guide-title", g.name);
    fill("#guide-actions", h("a", { class: "button primary", href: `/apply/${encodeURIComponent(g.code)}` }, "网上申请"),
      h("a", { class: "button", href: "/guide" }, "全部一件事"),
      h("button", { type: "button", onclick: () => window.print() }, "打印本指南"));
    const departments = Object.entries(g.departments).filter(([k]) => k !== "window").map(([, v]) => v);
    const issued = g.items.flatMap((i) => (i.issues || []).map((m) => m.name));
    const shared = (g.shared_data && g.shared_data.materials_by_registry) || {};
    const prefillable = g.shared_data ? g.shared_data.fields_by_registry.length : 0;
    fill("#guide-body",
      h("section", { class: "card" }, h("h2", {}, "一次告知"),
        h("p", {}, `${departments.join("、")}并联审批，综合窗口一次受理、统一出件。填写一张表单（${g.form.fields_unified} 项，` +
          `分别办理共 ${g.form.fields_alone} 项；其中 ${prefillable} 项可由共享数据自动填写），提交一套材料（${g.materials_unified} 份，` +
          `分别办理共 ${g.materials_alone} 份）。`),
        g.tolerance_days !== null && g.tolerance_days !== undefined
          ? h("p", {}, `次要材料暂缺的可容缺受理，须在 ${g.tolerance_days} 个工作日内补交。`) : null),
      h("section", {}, h("h2", {}, "办理事项"), h("ul", { class: "guide-items" }, g.items.map(item))),
      h("section", { class: "card" }, h("h2", {}, "所需材料"), h("ul", {}, g.materials.map((m) => material(m, shared))),
        issued.length ? h("p", { class: "muted" }, `以下由本件办理中核发，无需提交：${[...new Set(issued)].join("、")}。`) : null),
      h("section", { class: "card" }, h("h2", {}, "申请表"), g.form.groups.map((group) => h("div", {},
        h("h3", {}, group.title), h("p", {}, group.fields.map((k) => g.form.labels[k] || k).join("、"))))));
  }

  try {
    await (code ? guide() : list());
  } catch (err) {
    fill("#guide-body", h("p", { class: "notice error" }, err.status === 404 ? "没有这个一件事。" : err.message));
  }
})();
