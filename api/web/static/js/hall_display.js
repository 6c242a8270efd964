/* The hall's display (叫号屏): the ticket just called and its window in large text, the recent calls,
   live — the server pushes each call (server-sent events); the browser reconnects by itself. */
"use strict";
(async () => {
  const { api, h, fill } = OneThing;
  const point = document.body.dataset.point;
  const quiet = { stayOnPage: true };
  const recent = [];

  function show(call) {
    if (recent.some((c) => c.id === call.id && c.called_at === call.called_at)) return;
    recent.unshift(call);
    recent.splice(8);
    fill("#now-number", call.number);
    fill("#now-window", `到 ${call.window} 号窗口办理`);
    fill("#recent", recent.map((c) => h("li", {}, h("strong", {}, c.number), `　${c.window} 号窗口`)));
  }

  try {
    const points = (await api("GET", "/api/hall/points", undefined, quiet)).points;
    const here = points.find((p) => p.code === point);
    if (!here) {
      fill("#hall-title", "没有这个服务点");
      return;
    }
    fill("#hall-title", `${here.name} · 叫号`);
    document.title = `${here.name} · 叫号屏`;
    const earlier = (await api("GET", `/api/hall/${encodeURIComponent(point)}/calls`, undefined, quiet)).calls;
    for (const call of earlier.reverse()) show(call);
  } catch (err) {
    OneThing.showError(err);
    return;
  }
  const feed = new EventSource(`/api/hall/${encodeURIComponent(point)}/events`);
  feed.addEventListener("call", (event) => show(JSON.parse(event.data)));
})();
