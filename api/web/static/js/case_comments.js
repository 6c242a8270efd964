/* 部门会商 on the case page and the task page: the case's comments between its departments and the
   window (author, department, Beijing time, text; replies under what they answer), and a form to
   write one or reply, with a character count and a department of the case asked to read it.
   A supervisor reads only; a closed case takes no more comments (the API says may_write). The page
   holds a <section id="case-comments"> and names the case (data-ref) or the task (data-task-id). */
"use strict";
(() => {
  const { api, h, fill, formatDateTime, ApiError } = OneThing;
  const MAX = 1000;

  const section = () => document.getElementById("case-comments");
  const length = (text) => [...text.trim()].length;  // code points, as the server counts them

  async function caseRef() {
    const ref = OneThing.param("ref");
    if (ref) return ref;
    const task = await api("GET", `/api/tasks/${encodeURIComponent(OneThing.param("taskId"))}`, undefined,
      { stayOnPage: true });
    return task.case_number;
  }

  /* The comments as a tree: each under the comment it answers (one the list lacks: at the top). */
  function threads(items) {
    const ids = new Set(items.map((c) => c.id));
    const replies = new Map();
    for (const c of items) {
      const parent = c.reply_to !== null && ids.has(c.reply_to) ? c.reply_to : null;
      if (!replies.has(parent)) replies.set(parent, []);
      replies.get(parent).push(c);
    }
    return replies;
  }

  function render(ref, answer, state) {
    const replies = threads(answer.items);
    const byId = new Map(answer.items.map((c) => [c.id, c]));
    const list = (parent) => {
      const children = replies.get(parent) || [];
      if (!children.length) return null;
      return h("ol", { class: parent === null ? "comments" : "comments replies" }, children.map((c) => h("li",
        { class: "comment", dataset: { comment: c.id } },
        h("div", { class: "comment-meta" },
          h("strong", { class: "comment-author" }, c.author.name),
          h("span", { class: "muted" }, `（${c.author.department_name}）`),
          h("time", { class: "muted", datetime: c.at }, formatDateTime(c.at))),
        c.mention.length ? h("div", { class: "comment-mention" },
          `提请 ${c.mention.map((m) => m.name).join("、")} 阅看`) : null,
        h("p", { class: "comment-text" }, c.text),
        answer.may_write ? h("button", { type: "button", class: "link comment-reply", onclick: () => {
          state.replyTo = c.id;
          draw();
          document.getElementById("comment-text").focus();
        } }, "回复") : null,
        list(c.id))));
    };

    const text = h("textarea", { id: "comment-text", name: "text", rows: 4, "aria-describedby": "comment-count" });
    text.value = state.draft;
    const count = h("span", { id: "comment-count", class: "hint char-count", "aria-live": "polite" });
    const counted = () => {
      const n = length(text.value);
      count.textContent = `${n} / ${MAX} 字`;
      count.classList.toggle("over", n > MAX);
      state.draft = text.value;
    };
    text.addEventListener("input", counted);
    counted();
    const mention = h("select", { id: "comment-mention", name: "mention" },
      h("option", { value: "" }, "不提请"),
      answer.departments.map((d) => h("option", { value: d.code, selected: d.code === state.mention }, d.name)));
    mention.addEventListener("change", () => { state.mention = mention.value; });
    const replying = state.replyTo !== null && byId.get(state.replyTo);
    const error = h("div", { class: "notice error", role: "alert", id: "comment-error", hidden: true });
    const done = h("p", { class: "notice ok", role: "status", id: "comment-done", hidden: !state.done }, state.done || "");
    const button = h("button", { type: "submit", class: "primary", id: "comment-submit" }, replying ? "发表回复" : "发表意见");

    const form = answer.may_write ? h("form", { id: "comment-form", class: "comment-form", novalidate: true },
      replying ? h("p", { class: "comment-replying" },
        `回复 ${replying.author.name}（${replying.author.department_name}）的意见 `,
        h("button", { type: "button", class: "link", onclick: () => { state.replyTo = null; draw(); } }, "取消回复"))
        : null,
      h("div", { class: "field" },
        h("label", { for: "comment-text", "data-label-for": "text" }, replying ? "回复内容" : "会商意见"),
        text, count, h("span", { class: "error", "data-error-for": "text" })),
      h("div", { class: "field" },
        h("label", { for: "comment-mention", "data-label-for": "mention" }, "提请部门阅看"),
        mention, h("span", { class: "error", "data-error-for": "mention" })),
      h("span", { class: "error", "data-error-for": "reply_to" }),
      error, done, button) : null;

    if (form) {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        OneThing.clearErrors(form);
        error.hidden = true;
        done.hidden = true;
        state.done = "";
        button.disabled = true;
        try {
          const n = length(text.value);
          if (!n) throw new ApiError(422, { message_zh: "请填写会商意见", errors: { text: ["请填写会商意见"] } });
          if (n > MAX) {
            throw new ApiError(422, { message_zh: `会商意见不能超过 ${MAX} 个字（现有 ${n} 个）`,
              errors: { text: [`不能超过 ${MAX} 个字`] } });
          }
          const body = { text: text.value, reply_to: state.replyTo };
          if (mention.value) body.mention = mention.value;
          await api("POST", `/api/cases/${encodeURIComponent(ref)}/comments`, body, { key: state.key });
          Object.assign(state, { draft: "", mention: "", replyTo: null, key: OneThing.newKey(),
            done: replying ? "已发表回复" : "已发表会商意见" });
          await Promise.all([load(ref, state), refreshTimeline(ref)]);
        } catch (err) {
          showProblem(err, form, error);
        } finally {
          button.disabled = false;
        }
      });
    }

    function draw() { render(ref, answer, state); }

    const closed = answer.status === "closed" || answer.status === "terminated";
    fill(section().querySelector(".comments-body"),
      h("p", { class: "muted", id: "comment-total" }, answer.items.length
        ? `共 ${answer.items.length} 条会商意见` : "暂无会商意见"),
      list(null),
      form || h("p", { class: "muted", id: "comment-readonly" }, closed
        ? "办件已办结，会商意见只可查看，不能再发表。"
        : "您只能查看会商意见；办件涉及的部门和综合窗口可以发表。"));
  }

  /* The Chinese message above the form and each field's problem beside its field. */
  function showProblem(err, form, box) {
    if (!(err instanceof ApiError)) {
      console.error(err);
      err = new ApiError(500, { message_zh: "页面出现意外错误，请刷新后重试" });
    }
    const unplaced = [];
    for (const [field, message] of Object.entries(err.fieldErrors)) {
      const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
      if (slot) slot.textContent = message;
      else if (!field.startsWith("_")) unplaced.push(h("li", {}, message));
    }
    fill(box, h("p", {}, err.message), unplaced.length ? h("ul", {}, unplaced) : null);
    box.hidden = false;
  }

  /* The page's timeline (drawn by CaseBits, on the case and the task page) with the new 会商意见. */
  async function refreshTimeline(ref) {
    const timeline = document.getElementById("case-timeline");
    if (!timeline || typeof CaseBits === "undefined") return;
    fill(timeline, CaseBits.timeline(await api("GET", `/api/cases/${encodeURIComponent(ref)}`)));
  }

  async function load(ref, state) {
    const answer = await api("GET", `/api/cases/${encodeURIComponent(ref)}/comments`, undefined,
      { stayOnPage: true });
    render(ref, answer, state);
  }

  async function run() {
    if (!section()) return;
    const state = { draft: "", mention: "", replyTo: null, key: OneThing.newKey(), done: "" };
    try {
      await load(await caseRef(), state);
    } catch (err) {
      const message = err instanceof ApiError ? err.message : "会商意见加载失败，请刷新后重试";
      fill(section().querySelector(".comments-body"), h("p", { class: "notice error", role: "alert" }, message));
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
