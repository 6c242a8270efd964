/* The window clerk's desk: what waits at the window (corrections to record, results to hand
   over), the bundles to accept, and the latest cases. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, labels, formatDateTime, table, badge, busy, flash } = OneThing;

  function age(minutes) {
    return minutes >= 1440 ? `${Math.floor(minutes / 1440)} 天 ${Math.floor((minutes % 1440) / 60)} 小时`
      : minutes >= 60 ? `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分` : `${minutes} 分钟`;
  }

  const DELIVERY = { online: "电子证照", mail: "邮寄送达", window: "窗口领取" };

  /* What the applicant sent, opened on demand: each material's status and scans (each opens in a new
     tab), the commitment signed, the delivery chosen. */
  function contents(a) {
    const box = h("div", {}, h("p", { class: "muted" }, "正在加载…"));
    const details = h("details", { class: "application-contents" }, h("summary", {}, "查看申请材料"), box);
    details.addEventListener("toggle", () => busy(null, async () => {
      if (!details.open || box.dataset.loaded) return;
      const [guide, files] = await Promise.all([api("GET", `/api/bundles/${encodeURIComponent(a.bundle)}/guide`),
        api("GET", `/api/online-applications/${a.id}/files`)]);
      box.dataset.loaded = "1";
      fill(box, h("ul", { class: "plain" }, guide.materials.map((m) => h("li", {},
        h("strong", {}, m.name), `：${labels.material[a.materials[m.key]] || "未填写"}`,
        (files.materials[m.key] || []).map((f) => [" ", h("a", { href: f.url, target: "_blank", rel: "noopener" },
          `${f.filename}（${f.pages} 页）`)])))),
      a.commitment ? h("p", {}, `告知承诺：${a.commitment.signed_by} 于 ${formatDateTime(a.commitment.signed_at)} 签署`) : null,
      h("p", {}, `领取方式：${a.delivery ? DELIVERY[a.delivery.delivery] : "未选择"}`,
        a.delivery && a.delivery.address ? `，${a.delivery.address}` : ""));
    }));
    return details;
  }

  /* 网上预审: each waiting online application with how long it has waited; accept starts the case,
     return sends it back once with everything to fix. */
  async function renderPreReview(names) {
    const waiting = (await api("GET", "/api/online-applications")).applications;
    fill("#online-applications", waiting.length ? h("ul", { class: "plain" }, waiting.map((a) => {
      const notice = h("textarea", { name: "notice", maxlength: 2000, "aria-label": "一次性告知：需要修改的全部内容",
        placeholder: "退回时一次性告知需要修改或补充的全部内容" });
      const accept = h("button", { type: "button", class: "primary" }, "受理");
      const back = h("button", { type: "button" }, "一次性告知并退回");
      const row = h("li", { class: "card", dataset: { application: String(a.id) } },
        h("p", {}, h("strong", {}, names[a.bundle] || a.bundle), `　${a.applicant.name || ""}　已等待 ${age(a.waiting_minutes)}`),
        h("p", { class: "muted" }, `提交于 ${formatDateTime(a.submitted_at)}`),
        contents(a),
        h("div", { class: "field" }, notice, h("span", { class: "error", "data-error-for": "notice" })),
        h("div", { class: "actions" }, accept, back));
      accept.addEventListener("click", () => busy(accept, async () => {
        const done = await api("POST", `/api/online-applications/${a.id}/accept`);
        flash(`已受理，办件编号 ${done.case_number}。`);
        await renderPreReview(names);
      }, row));
      back.addEventListener("click", () => busy(back, async () => {
        await api("POST", `/api/online-applications/${a.id}/return`, { notice: notice.value.trim() });
        flash("已一次性告知并退回，申请人将收到短信和站内消息。");
        await renderPreReview(names);
      }, row));
      return row;
    })) : h("p", { class: "muted" }, "暂无等待预审的网上申请"));
  }

  /* 叫号 at this desk: the clerk's own service point (the city's centre for a clerk without one); the
     window is remembered by the browser. */
  const desk = document.getElementById("queue-desk");
  let here = null;
  async function renderQueue() {
    const point = desk.point.value;
    if (!point) return;
    const queue = await api("GET", `/api/hall/${encodeURIComponent(point)}/queue`);
    fill("#queue-waiting", queue.waiting.length ? `等候 ${queue.waiting.length} 人：${queue.waiting.slice(0, 12).map((t) => t.number).join("、")}`
      : "暂无等候");
  }
  async function setUpQueue() {
    const points = (await api("GET", "/api/hall/points")).points;
    const mine = points.find((p) => p.code === user.service_point) || points.find((p) => !p.parent) || points[0];
    fill(desk.point, mine ? h("option", { value: mine.code }, mine.name) : []);
    desk.point.value = mine ? mine.code : "";
    here = mine;
    desk.window.value = localStorage.getItem("onething.queue.window") || "1";
    desk.point.addEventListener("change", () => busy(null, renderQueue));
    await renderQueue();
  }
  desk.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("call-next"), async () => {
      OneThing.clearErrors(desk);
      localStorage.setItem("onething.queue.window", desk.window.value);
      const answer = await api("POST", `/api/hall/${encodeURIComponent(desk.point.value)}/call`,
        { window: Number.parseInt(desk.window.value, 10) || 0 });
      const called = answer.called;
      const booked = called && called.booking;
      fill("#queue-called", called ? [`已叫号：${called.number}（${desk.window.value} 号窗口）`,
        booked ? ["　预约：", booked.name, "　", h("a", { class: "button primary", id: "intake-from-booking",
          href: `/app/window/new/${encodeURIComponent(called.bundle)}?booking=${booked.id}` }, "按预约受理")]
          : called.bundle ? ["　", h("a", { class: "button primary", id: "intake-from-ticket",
            href: `/app/window/new/${encodeURIComponent(called.bundle)}?ticket=${called.id}` }, "受理")] : null]
        : "暂无等候的号");
      await renderQueue();
    }, desk);
  });
  /* An agent (帮办代办员) prepares applications for those who authorized it: the bundles and their own
     cases; the window's work, the queue and 网上预审 are the clerks'. */
  const clerk = (user.roles || []).includes("clerk");
  for (const id of ["window-work", "hall-queue", "pre-review"]) document.getElementById(id).hidden = !clerk;
  if (clerk) await setUpQueue();

  document.getElementById("find-case").addEventListener("submit", (event) => {
    event.preventDefault();
    const ref = event.target.ref.value.trim();
    if (ref) location.assign(`/app/cases/${encodeURIComponent(ref)}`);
  });

  if (!clerk) here = (await api("GET", "/api/hall/points")).points.find((p) => p.code === user.service_point) || null;
  const [bundles, tasks, cases] = await Promise.all([
    api("GET", "/api/bundles"),
    clerk ? api("GET", `/api/tasks?department=window&state=open&per_page=200${user.service_point
      ? `&service_point=${encodeURIComponent(user.service_point)}` : ""}`) : { items: [] },
    api("GET", "/api/cases?per_page=20"),
  ]);

  const accepted = bundles.filter((b) => !here || !here.bundles || here.bundles.includes(b.code));
  fill("#bundles", accepted.map((b) => h("a", { class: "card link-card", href: `/app/window/new/${encodeURIComponent(b.code)}`,
    dataset: { bundle: b.code } },
  h("strong", {}, b.name),
  h("span", {}, `${b.items.length} 个事项：${[...new Set(b.items.map((i) => i.department_name))].join("、")}`),
  h("span", {}, "受理 →"))));

  const action = (t) => {
    const ref = encodeURIComponent(t.case_number);
    if (t.kind === "pickup") return h("a", { class: "button primary", href: `/app/cases/${ref}/pickup` }, "统一出件");
    if (t.kind === "correction") return h("a", { class: "button primary", href: `/app/cases/${ref}#correction` }, "登记补正材料");
    return h("a", { href: `/app/cases/${ref}` }, "查看");
  };
  fill("#window-tasks", table(["办件编号", "事项", "类型", "生成时间", ""], tasks.items.map((t) => [
    h("a", { href: `/app/cases/${encodeURIComponent(t.case_number)}` }, t.case_number),
    t.title || t.name, labels.taskKind[t.kind] || t.kind, formatDateTime(t.created_at), action(t),
  ]), "窗口暂无待办"));

  const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
  if (clerk) renderPreReview(names);
  fill("#recent-cases", table(["办件编号", "一件事", "申请人", "状态", "受理时间"], cases.items.map((c) => [
    h("a", { href: `/app/cases/${encodeURIComponent(c.number)}` }, c.number), names[c.bundle] || c.bundle,
    c.applicant_name, badge(labels.caseStatus[c.status] || c.status, c.status), formatDateTime(c.accepted_at),
  ]), "暂无办件"));
});
