/* The login page: signs in with the password (the API sets the session and CSRF cookies), then
   opens the page the user came from, or their role's own page. */
"use strict";
(() => {
  const { api, busy, h, fill, homeOf, labels } = OneThing;
  const form = document.getElementById("login-form");

  function nextPage(user) {
    const next = new URLSearchParams(location.search).get("next") || "";
    // Only a page of this workbench: never another site.
    return /^\/app\/[^/]/.test(next) && !next.startsWith("/app/login") ? next : homeOf(user);
  }

  api("GET", "/api/auth/me", undefined, { stayOnPage: true }).then((user) => {
    const box = document.getElementById("signed-in");
    fill(box, `您已登录为 ${user.name}（${user.roles.map((r) => labels.role[r] || r).join("、")}）。`,
      h("a", { href: homeOf(user) }, "进入工作台"), "，或在下方以其他账号登录。");
    box.hidden = false;
  }).catch(() => {});

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    busy(button, async () => {
      const login = form.login.value.trim();
      const password = form.password.value;
      const errors = {};
      if (!login) errors.login = ["请输入登录名"];
      if (!password) errors.password = ["请输入密码"];
      if (Object.keys(errors).length) {
        throw new OneThing.ApiError(422, { message_zh: "请填写登录名和密码", errors });
      }
      const answer = await api("POST", "/api/auth/login", { login, password }, { stayOnPage: true });
      location.assign(nextPage(answer.user));
    }, form);
  });
})();
