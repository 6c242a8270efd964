/* User administration: create users, change their name, department, roles, password or whether
   they may log in, and log them out everywhere. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, busy, flash, labels, table, badge, formatDateTime } = OneThing;
  const form = document.getElementById("user-form");
  const deptFilter = document.getElementById("dept-filter");
  let editing = null;

  const [bundles, points] = await Promise.all([api("GET", "/api/bundles"), api("GET", "/api/hall/points")]);
  const departments = { window: "综合窗口", office: "政务服务管理办公室" };
  for (const b of bundles) for (const i of b.items) departments[i.department] = i.department_name;
  /* A county's units of the departments (红旗区卫生健康委: wj@hongqi), whose reviewers see that county's cases. */
  OneThing.addUnits(departments, points.points);
  for (const p of points.points) form.service_point.append(h("option", { value: p.code }, p.name));
  const pointNames = Object.fromEntries(points.points.map((p) => [p.code, p.name]));
  const showPoint = () => { document.getElementById("point-box").hidden = form.department.value !== "window"; };
  form.department.addEventListener("change", showPoint);
  for (const [code, name] of Object.entries(departments)) {
    form.department.append(h("option", { value: code }, name));
    deptFilter.append(h("option", { value: code }, name));
  }
  fill("#u-roles", Object.entries(labels.role).map(([code, name]) => h("label", {},
    h("input", { type: "checkbox", name: "roles", value: code }), name)));

  async function load() {
    const query = deptFilter.value ? `?department=${encodeURIComponent(deptFilter.value)}` : "";
    const users = await api("GET", `/api/users${query}`);
    fill("#users", table(["登录名", "姓名", "部门", "角色", "状态", "更新时间", ""], users.map((u) => [
      h("code", {}, u.login), u.name,
      [departments[u.department] || u.department, u.service_point ? `（${pointNames[u.service_point] || u.service_point}）` : ""], u.roles.map((r) => labels.role[r] || r).join("、"),
      [u.active ? badge("启用", "green") : badge("停用", "red"), u.demo ? badge("演示账号") : null],
      formatDateTime(u.updated_at),
      h("span", {}, h("button", { type: "button", class: "link", onclick: () => edit(u) }, "编辑"), "　",
        h("button", { type: "button", class: "link", onclick: (e) => revoke(e.target, u) }, "强制下线")),
    ])));
  }

  function edit(u) {
    editing = u;
    fill("#user-form-title", `编辑用户：${u.login}`);
    form.login.value = u.login;
    form.login.disabled = true;
    form.name.value = u.name;
    form.department.value = u.department;
    form.service_point.value = u.service_point || "";
    showPoint();
    form.password.value = "";
    for (const box of form.querySelectorAll("input[name=roles]")) box.checked = u.roles.includes(box.value);
    form.active.checked = u.active;
    document.getElementById("active-box").hidden = false;
    document.getElementById("save-user").textContent = "保存修改";
    document.getElementById("new-user").hidden = false;
    OneThing.clearErrors(form);
    form.scrollIntoView({ block: "start" });
  }

  function reset() {
    editing = null;
    form.reset();
    form.login.disabled = false;
    fill("#user-form-title", "新建用户");
    document.getElementById("active-box").hidden = true;
    document.getElementById("save-user").textContent = "创建用户";
    document.getElementById("new-user").hidden = true;
    OneThing.clearErrors(form);
    showPoint();
  }

  function revoke(button, u) {
    busy(button, async () => {
      const answer = await api("DELETE", `/api/users/${encodeURIComponent(u.login)}/tokens`);
      flash(`${u.login} 的 ${answer.revoked} 个登录已失效。`);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("save-user"), async () => {
      const roles = [...form.querySelectorAll("input[name=roles]:checked")].map((i) => i.value);
      const password = form.password.value;
      if (editing) {
        const changes = { name: form.name.value.trim(), department: form.department.value, roles, active: form.active.checked,
          service_point: form.department.value === "window" ? form.service_point.value || null : null };
        if (password) changes.password = password;
        await api("PATCH", `/api/users/${encodeURIComponent(editing.login)}`, changes);
        flash(`已保存 ${editing.login}。` + (editing.login === user.login ? "" : "如修改了角色、部门、密码或停用，该用户需重新登录。"));
      } else {
        const login = form.login.value.trim();
        await api("POST", "/api/users", { login, name: form.name.value.trim(), department: form.department.value, roles, password,
          service_point: form.department.value === "window" ? form.service_point.value || null : null });
        flash(`已创建用户 ${login}。`);
      }
      reset();
      await load();
    }, form);
  });
  document.getElementById("new-user").addEventListener("click", reset);
  deptFilter.addEventListener("change", () => busy(null, load));
  showPoint();
  await load();
});
