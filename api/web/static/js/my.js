/* 我的办件, the applicant's own pages, phone first: sign in with the mobile number and an SMS code,
   then the cases that number applied for (progress by department, what to correct, what is still
   owed, refusals) and the messages about them. */
"use strict";
(async () => {
  const { api, h, fill, busy, flash, formatDateTime } = OneThing;
  const form = document.getElementById("sign-in-form");
  const quiet = { stayOnPage: true };

  function show(part) {
    document.getElementById("sign-in").hidden = part !== "sign-in";
    document.getElementById("mine").hidden = part !== "mine";
  }

  document.getElementById("send-code").addEventListener("click", (event) => busy(event.target, async () => {
    OneThing.clearErrors(form);
    const answer = await api("POST", "/api/applicant/login-code", { phone: form.phone.value.trim() }, quiet);
    fill("#code-note", `验证码已发送至 ${answer.phone}，${answer.expires_in_minutes} 分钟内有效`);
    form.code.focus();
  }, form));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("sign-in-button"), async () => {
      OneThing.clearErrors(form);
      await api("POST", "/api/applicant/login", { phone: form.phone.value.trim(), code: form.code.value.trim() }, quiet);
      await mine();
    }, form);
  });

  document.getElementById("sign-out").addEventListener("click", (event) => busy(event.target, async () => {
    await api("POST", "/api/auth/logout", undefined, quiet);
    show("sign-in");
  }));

  function toDo(t) {
    const what = t.kind === "correction" ? `${t.title}需要补正` : `${t.title}须于 ${t.due} 前补交`;
    return h("li", { class: "notice warn" }, h("strong", {}, what),
      h("ul", {}, t.materials.map((m) => h("li", {}, m.name, m.note ? `：${m.note}` : ""))),
      t.reason ? h("p", {}, `理由：${t.reason}`) : null);
  }

  async function open(number) {
    const c = await api("GET", `/api/applicant/cases/${encodeURIComponent(number)}`, undefined, quiet);
    const box = document.getElementById("my-case");
    box.hidden = false;
    fill(box, h("h2", {}, `${c.bundle}　${c.number}`), h("p", {}, h("strong", {}, c.state)),
      h("p", { class: "muted" }, `受理 ${c.accepted_on}，承诺办结 ${c.due_on || "—"}` + (c.closed_on ? `，出件 ${c.closed_on}` : "")),
      c.to_do.length ? [h("h3", {}, "需要您办理"), h("ul", { class: "plain" }, c.to_do.map(toDo))] : null,
      c.refusals.length ? [h("h3", {}, "不予许可"), h("ul", {}, c.refusals.map((r) => h("li", {}, `${r.item}：${r.reason}`)))] : null,
      h("h3", {}, "各部门进度"),
      h("ul", { class: "plain" }, c.departments.map((d) => h("li", {}, h("strong", {}, d.name),
        h("ul", {}, d.items.map((i) => h("li", {}, `${i.name}：${i.state}`)))))));
    box.scrollIntoView({ block: "start" });
  }

  async function mine() {
    const [me, cases, messages] = await Promise.all([api("GET", "/api/auth/me", undefined, quiet),
      api("GET", "/api/applicant/cases", undefined, quiet), api("GET", "/api/applicant/messages", undefined, quiet)]);
    show("mine");
    fill("#who", `${me.name}，您好`);
    fill("#my-cases", cases.cases.length ? h("ul", { class: "guide-list" }, cases.cases.map((c) => h("li", { class: "card" },
      h("button", { type: "button", class: "link", onclick: () => busy(null, () => open(c.number)) }, c.number),
      h("p", {}, `${c.state}　受理于 ${formatDateTime(c.accepted_at)}`)))) : h("p", { class: "muted" }, "没有以该手机号码登记的办件。"));
    fill("#my-messages", messages.messages.length ? h("ul", { class: "plain" }, messages.messages.map((m) => h("li", {},
      h("strong", {}, m.title), h("p", {}, m.text), h("p", { class: "muted" }, formatDateTime(m.at)))))
      : h("p", { class: "muted" }, "暂无消息。"));
  }

  let me = null;
  try {
    me = await api("GET", "/api/auth/me", undefined, quiet);
  } catch (err) {
    me = null;
  }
  if (me && (me.roles || []).includes("applicant")) await mine(); else show("sign-in");
})();
