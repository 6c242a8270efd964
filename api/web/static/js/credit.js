/* Bad credit records (失信记录) for administrators: look an applicant up by ID number or credit code,
   read the records in force and the lifted ones, list a new record, lift those in force with a reason. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, table, formatDateTime, ApiError } = OneThing;
  const lookup = document.getElementById("lookup");
  const add = document.getElementById("add");
  const lift = document.getElementById("lift");
  const people = {};
  try {
    for (const u of await api("GET", "/api/users")) people[u.login] = u.name;
  } catch (err) {
    // Without the user list the records show logins.
  }
  let ref = null;

  function person(login) {
    return login ? people[login] || login : "—";
  }

  function path() {
    return `/api/applicants/${encodeURIComponent(ref)}/credit`;
  }

  async function load() {
    const records = await api("GET", path());
    const inForce = records.filter((r) => r.in_force);
    const lifted = records.filter((r) => !r.in_force);
    document.getElementById("found").hidden = false;
    fill("#found-title", `${ref} 的失信记录：在列 ${inForce.length} 条`);
    fill("#in-force", table(["事由", "来源", "列入人", "列入时间"], inForce.map((r) => [
      r.reason, r.source, person(r.listed_by), formatDateTime(r.listed_at)]), "没有在列的失信记录，可以容缺受理"));
    fill("#history", table(["事由", "来源", "列入人", "列入时间", "修复人", "修复时间"], lifted.map((r) => [
      r.reason, r.source, person(r.listed_by), formatDateTime(r.listed_at), person(r.lifted_by), formatDateTime(r.lifted_at)]),
    "没有已修复的记录"));
    document.getElementById("lift-section").hidden = !inForce.length;
  }

  lookup.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(lookup.querySelector("button"), async () => {
      OneThing.clearFlash();
      OneThing.clearErrors(lookup);
      const typed = lookup.ref.value.trim().toUpperCase();
      if (!typed) throw new ApiError(422, { message_zh: "请输入证件号码", errors: { ref: ["请输入居民身份证号码或统一社会信用代码"] } });
      ref = typed;
      try {
        await load();
      } catch (err) {
        document.getElementById("found").hidden = true;
        ref = null;
        throw err;
      }
    }, lookup);
  });

  add.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(add.querySelector("button"), async () => {
      OneThing.clearErrors(add);
      await api("POST", path(), { reason: add.reason.value, source: add.source.value });
      add.reset();
      await load();
      flash(`已将 ${ref} 列入失信记录，在列期间不能容缺受理。`);
    }, add);
  });

  lift.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(lift.querySelector("button"), async () => {
      OneThing.clearErrors(lift);
      const reason = lift.reason.value.trim();
      if (!reason) throw new ApiError(422, { message_zh: "请写明信用修复的依据", errors: { reason: ["必填"] } });
      const answer = await api("DELETE", `${path()}?reason=${encodeURIComponent(reason)}`);
      lift.reset();
      await load();
      flash(`已解除 ${ref} 的 ${answer.lifted} 条失信记录（依据：${reason}）。`);
    }, lift);
  });
});
