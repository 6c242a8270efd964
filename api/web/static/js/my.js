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

  async function open(number) {
    const box = document.getElementById("my-case");
    await MyCase.render(box, number);
    box.scrollIntoView({ block: "start" });
  }

  const STATES = { draft: "草稿", submitted: "等待网上预审", returned: "预审退回，待修改", accepted: "已受理" };

  function applications(list, names) {
    return list.length ? h("ul", { class: "guide-list" }, list.map((a) => h("li", { class: "card" },
      h("a", { href: `/apply/${encodeURIComponent(a.bundle)}?id=${a.id}` }, names[a.bundle] || a.bundle),
      h("p", {}, STATES[a.status] || a.status, a.case_number ? `，办件编号 ${a.case_number}` : ""),
      a.status === "returned" ? h("p", { class: "notice warn" }, `退回意见：${a.notice}`) : null)))
      : h("p", { class: "muted" }, "还没有网上申请。");
  }

  async function mine() {
    const next = new URLSearchParams(location.search).get("next");
    if (next && /^\/(apply|my)\b/.test(next)) {
      location.assign(next);
      return;
    }
    const [me, cases, messages, mine, bundles] = await Promise.all([api("GET", "/api/auth/me", undefined, quiet),
      api("GET", "/api/applicant/cases", undefined, quiet), api("GET", "/api/applicant/messages", undefined, quiet),
      api("GET", "/api/applicant/applications", undefined, quiet), api("GET", "/api/public/bundles", undefined, quiet)]);
    const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
    show("mine");
    fill("#my-applications", applications(mine.applications, names));
    await MyBookings.render();
    await MyConsents.render();
    await MyWorkOrders.render();
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
  if (me && (me.roles || []).includes("applicant")) {
    await mine();
  } else {
    show("sign-in");
    const methods = await api("GET", "/api/applicant/sign-in-methods", undefined, quiet).catch(() => ({}));
    if (methods.oidc) {
      const next = new URLSearchParams(location.search).get("next") || "/my";
      const link = document.getElementById("oidc-link");
      link.href = `${methods.oidc.start}?next=${encodeURIComponent(next)}`;
      link.textContent = `使用${methods.oidc.name}登录`;
      document.getElementById("oidc-sign-in").hidden = false;
    }
  }
})();
