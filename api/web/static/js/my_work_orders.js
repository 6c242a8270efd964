/* 我的诉求 in 我的办件: complain online (有诉即办) or tell what could not get done (办不成事), about one's
   case if named; read the replies and confirm one, or dispute it with the reason. */
"use strict";
const MyWorkOrders = (() => {
  const { api, h, fill, busy, flash } = OneThing;
  const quiet = { stayOnPage: true };

  function confirmBox(o, refresh) {
    const reason = h("input", { name: "comment", maxlength: 2000, placeholder: "不认可的理由", "aria-label": "不认可的理由" });
    const send = (satisfied) => (event) => busy(event.target, async () => {
      await api("POST", `/api/applicant/work-orders/${encodeURIComponent(o.number)}/confirm`,
        { satisfied, comment: reason.value.trim() }, quiet);
      flash(satisfied ? "已确认，诉求办结" : "已提出异议，承办部门将继续办理");
      await refresh();
    }, event.target.closest("li"));
    return h("div", { class: "actions" }, h("button", { type: "button", class: "primary confirm-reply", onclick: send(true) }, "认可答复"),
      reason, h("span", { class: "error", "data-error-for": "comment" }),
      h("button", { type: "button", class: "dispute-reply", onclick: send(false) }, "不认可"));
  }

  async function list() {
    const mine = (await api("GET", "/api/applicant/work-orders", undefined, quiet)).items;
    fill("#my-work-orders", mine.length ? h("ul", { class: "plain" }, mine.map((o) => h("li", { class: "card", dataset: { order: o.number } },
      h("p", {}, h("strong", {}, `${o.kind_name} ${o.number}`), `　${o.state_name}`),
      h("p", {}, o.title),
      o.reply ? h("p", {}, `答复：${o.reply}`) : h("p", { class: "muted" }, `答复期限 ${o.clocks.reply_due}`),
      o.state === "replied" ? confirmBox(o, list) : null))) : h("p", { class: "muted" }, "暂无诉求。"));
  }

  async function render() {
    const form = document.getElementById("complaint-form");
    if (!form.dataset.ready) {
      form.dataset.ready = "1";
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        busy(form.querySelector("button[type=submit]"), async () => {
          OneThing.clearErrors(form);
          const body = { kind: form.kind.value, title: form.title.value.trim(), description: form.description.value.trim(),
            name: form.name.value.trim() };
          if (form.case_number.value.trim()) body.case_number = form.case_number.value.trim();
          const made = await api("POST", "/api/applicant/work-orders", body, quiet);
          flash(`已提交，工单编号 ${made.number}，当日响应、三个工作日内答复`);
          form.reset();
          await list();
        }, form);
      });
    }
    await list();
  }

  return { render };
})();
