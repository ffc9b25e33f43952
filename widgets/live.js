// LiveSession, browser side: consent gate, 16 kHz capture in an AudioWorklet, camera frames,
// the timeline strip, and the agent's voice. Loaded by anywidget; no build step (`h` is
// widgets/dom.js, put before this module by designkit.assets.widget_module).
//
// Nothing touches the microphone or camera before the person clicks "Allow". Each microturn's
// audio (int16, mono, 16 kHz) goes to the kernel as one custom message with a binary buffer;
// every reply carries the decision for that microturn and, while the agent speaks, 200 ms of
// its voice. A reply with `stop` drops every queued piece of voice at once.

const SAMPLE_RATE = 16000;

// The worklet: downmix to mono, resample to 16 kHz when the context runs at another rate,
// and post one Int16 chunk per microturn with the index of its first sample.
const WORKLET = `
class DesignkitCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.size = options.processorOptions.size;
    this.ratio = sampleRate / ${SAMPLE_RATE};
    this.buf = new Int16Array(this.size);
    this.fill = 0;
    this.sample = 0;      // 16 kHz samples emitted so far: the session timeline
    this.pos = 0;         // fractional read position for resampling
    this.last = 0;
    this.muted = false;
    this.started = false;
    this.port.onmessage = (e) => { if ('muted' in e.data) this.muted = e.data.muted; };
  }
  push(v) {
    this.buf[this.fill++] = this.muted ? 0 : Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
    if (this.fill === this.size) {
      const out = this.buf;
      this.port.postMessage({ pcm: out.buffer, sample0: this.sample }, [out.buffer]);
      this.sample += this.size;
      this.buf = new Int16Array(this.size);
      this.fill = 0;
    }
  }
  process(inputs) {
    const input = inputs[0];
    if (!this.started) {
      this.started = true;
      this.port.postMessage({ start: currentFrame / sampleRate });
    }
    if (!input || input.length === 0) return true;
    const n = input[0].length, ch = input.length;
    const mono = new Float32Array(n);
    for (let c = 0; c < ch; c++) { const x = input[c]; for (let i = 0; i < n; i++) mono[i] += x[i] / ch; }
    if (this.ratio === 1) { for (let i = 0; i < n; i++) this.push(mono[i]); return true; }
    // Linear interpolation between this block and the last sample of the previous one.
    while (this.pos < n) {
      const i = Math.floor(this.pos), f = this.pos - i;
      const a = i === 0 ? this.last : mono[i - 1], b = mono[i];
      this.push(a + (b - a) * f);
      this.pos += this.ratio;
    }
    this.pos -= n;
    this.last = mono[n - 1];
    return true;
  }
}
registerProcessor('designkit-capture', DesignkitCapture);
`;

// "Why did it say that" for one utterance: the reason and how sure, and for an answer in words
// what was heard and the prompt the model answered (only what the consent keeps reaches the page).
function whyLines(why) {
  const lines = [`why: ${why.label} (sure ${Number(why.confidence).toFixed(2)}${why.asked ? ", heard a question" : ""})`];
  if (why.heard) lines.push(`heard: “${why.heard}”`);
  if (why.prompt) lines.push(`prompt${why.model ? " (" + why.model + ")" : ""}:\n${why.prompt}`);
  return lines;
}

const now = () => performance.now();
const epoch = () => (performance.timeOrigin + performance.now()) / 1000;

function percentile(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
}

function render({ model, el }) {
  const dt = model.get("dt");
  const chunkSize = Math.round(dt * SAMPLE_RATE);
  // Everything a test or benchmark may want to read lives in `state` (see globalThis.__designkitLive).
  const state = {
    phase: "waiting", seq: 0, sent: 0, frames: 0, replies: 0, decisions: [], rtts: [],
    breakdown: [], sentAt: new Map(), counts: {}, voice: { pieces: 0, stops: 0, heard: false, onsets: [], startsAt: [],
      heardAt: null, stopAt: null, silentAfterStopMs: null, active: 0 },
    gumCalls: 0, hello: null, errors: [], tracks: [], filters: null,
  };
  let ctx = null, stream = null, node = null, source = null;
  let startOffset = 0, playhead = 0, analyser = null, voiceGain = null, pttHeld = false;
  let grabFrame = null, lastFrameAt = -1e9, sentUntil = 0, pendingFrame = null, frameSeq = 0;
  const playing = new Set();

  // -- the view ------------------------------------------------------------------------------
  const title = h("div", { class: "dk-title" }, model.get("title"));
  const listening = h("div", { class: "dk-listening" });
  const intro = h("div", { class: "dk-intro" });
  const says = h("div", { class: "dk-says" });
  const keepAudio = h("input", { type: "checkbox", class: "dk-keep-audio" });
  const keepVideo = h("input", { type: "checkbox", class: "dk-keep-video" });
  const keepWords = h("input", { type: "checkbox", class: "dk-keep-transcript" });
  const allow = h("button", { class: "dk-allow", disabled: "" }, "Allow microphone" + (model.get("camera") ? " and camera" : ""));
  const consentBox = h("div", { class: "dk-consent" },
    h("p", {}, "This session listens to your microphone" + (model.get("camera") ? " and camera" : "") +
      " and decides every " + Math.round(dt * 1000) + " ms whether the agent speaks. Nothing is captured before you click Allow. " +
      "By default only signals and decisions are kept, not your voice or image" +
      (model.get("hears_words") ? ", nor the words it hears you say." : ".")),
    h("label", {}, keepAudio, " also keep my audio"), " ",
    h("label", {}, keepVideo, " also keep my video"), " ",
    h("label", {}, keepWords, " also keep the words I say"), " ", allow);
  const status = h("div", { class: "dk-status" }, "connecting to the kernel…");
  const canvas = h("canvas", { class: "dk-timeline", width: "640", height: "110" });
  const tip = h("div", { class: "dk-tip" });
  const legend = h("div", { class: "dk-legend" });
  const captureNote = h("div", { class: "dk-capture" }, `${model.get("capture")} mode`);
  const ptt = h("button", { class: "dk-ptt" }, "hold to talk");
  const revoke = h("button", { class: "dk-revoke" }, "Stop and revoke");
  const preview = h("video", { class: "dk-preview", muted: "", playsinline: "" });
  const live = h("div", { class: "dk-live" }, says, h("div", { class: "dk-row" }, canvas, preview), tip, legend, captureNote,
    h("div", { class: "dk-row" }, ptt, revoke));
  const root = h("div", { class: "dk-root" }, title, listening, intro, consentBox, live, status);
  el.append(root);
  // One colour table for Python charts and this strip: widgets/colours.json, sent by the kernel.
  const table = model.get("colours");
  const colourOf = (key) => table.reasons[key] ?? table.lanes[key] ?? table.lanes.unknown;
  const keyOf = (label, key) => h("span", { class: "dk-key", "data-key": key }, h("i", { style: `background:${colourOf(key)}` }), label);
  for (const [label, key] of table.legend) legend.append(keyOf(label, key));
  // Every reason that occurs in the session joins the legend, by its plain label, once.
  const shown = new Set();
  function addToLegend(reason) {
    if (shown.has(reason)) return;
    shown.add(reason);
    legend.append(keyOf((table.labels || {})[reason] ?? reason, reason));
  }

  function show() {
    const phase = state.phase;
    listening.textContent = model.get("listening") ? "listening: " + model.get("listening") : "";
    intro.textContent = model.get("intro") || "";
    root.dataset.phase = phase;
    consentBox.style.display = phase === "ready" || phase === "waiting" || phase === "asking" ? "" : "none";
    const agreed = model.get("agreed_keep");  // agreed before the session: nothing to choose here
    keepAudio.parentElement.style.display = agreed ? "none" : "";
    keepVideo.parentElement.style.display = model.get("camera") && !agreed ? "" : "none";
    keepWords.parentElement.style.display = model.get("hears_words") && !agreed ? "" : "none";
    live.style.display = phase === "live" ? "" : "none";
    preview.style.display = model.get("camera") && phase === "live" ? "" : "none";
    ptt.style.display = model.get("push_to_talk") ? "" : "none";
    const p95 = percentile(state.rtts.slice(-150), 0.95);
    const c = state.counts;
    status.textContent = {
      waiting: "connecting to the kernel…",
      ready: "Nothing is being captured.",
      asking: "asking the browser for the microphone…",
      live: `live · ${state.sent} chunks sent · ${c.microturns ?? 0} microturns · gaps ${c.gaps ?? 0} · ` +
        `round trip p95 ${isNaN(p95) ? "–" : p95.toFixed(1)} ms` + (model.get("muted") ? " · MUTED" : ""),
      revoked: "Stopped: consent revoked, microphone released, log closed.",
      closed: "Session closed: microphone released, log saved.",
      denied: "The browser refused the microphone: " + (state.errors.at(-1) ?? ""),
      elsewhere: "This session is already live in another view of this widget.",
      fault: "Stopped: " + (state.fault || model.get("fault") || "the session failed") + " Microphone released.",
    }[phase] ?? phase;
  }

  // -- the timeline strip -------------------------------------------------------------------
  const g = canvas.getContext("2d");
  const rows = { user: 8, agent: 30, decision: 52, events: 78 };
  function draw() {
    const W = canvas.width, H = canvas.height, span = model.get("window_s");
    const pts = state.decisions;
    const tEnd = pts.length ? pts.at(-1).t + dt : span;
    const t0 = Math.max(0, tEnd - span), px = W / span;
    g.clearRect(0, 0, W, H);
    g.fillStyle = "#fafafa"; g.fillRect(0, 0, W, H);
    g.fillStyle = "#555"; g.font = "10px sans-serif";
    g.fillText("user", 2, rows.user + 10); g.fillText("agent", 2, rows.agent + 10);
    g.fillText("decision", 2, rows.decision + 10); g.fillText("events", 2, rows.events + 10);
    for (const p of pts) {
      if (p.t < t0) continue;
      const x = 48 + (p.t - t0) * px * ((W - 48) / W), w = Math.max(1, dt * px * ((W - 48) / W) - 0.5);
      if (p.user) { g.fillStyle = table.lanes["user speech"]; g.fillRect(x, rows.user, w, 16); }
      if (p.agent) { g.fillStyle = table.lanes["agent speech"]; g.fillRect(x, rows.agent, w, 16); }
      g.fillStyle = colourOf(p.gaps.length ? "silent:gap" : p.reason);
      g.fillRect(x, rows.decision, w, 18);
      if (p.cues.length || p.events.length) { g.fillStyle = table.lanes[p.cues.length ? "cue" : "event"]; g.fillRect(x, rows.events, w, 12); }
      p._x = x; p._w = w;
    }
    const secs = Math.floor(t0);
    g.fillStyle = "#999";
    for (let s = Math.ceil(t0 / 5) * 5; s <= tEnd; s += 5) {
      const x = 48 + (s - t0) * px * ((W - 48) / W);
      g.fillRect(x, H - 10, 1, 6); g.fillText(`${s}s`, x + 2, H - 2);
    }
    void secs;
  }
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) * (canvas.width / r.width);
    const p = state.decisions.find((d) => d._x !== undefined && x >= d._x && x <= d._x + d._w);
    if (!p) { tip.textContent = ""; return; }
    tip.textContent = `${p.t.toFixed(1)} s · ${p.label ?? p.action}` + (p.content ? ` · “${p.content}”` : "") +
      (p.proposal !== "silent" ? ` · proposal ${p.proposal} (${p.confidence})` : "") + (p.gaps.length ? ` · gap: ${p.gaps.join(", ")}` : "") +
      (p.why ? "\n" + whyLines(p.why).join("\n") : "");
  });
  canvas.addEventListener("mouseleave", () => { tip.textContent = ""; });

  // -- the agent's voice ----------------------------------------------------------------------
  function stopVoice(point) {
    for (const s of playing) { try { s.stop(); } catch (_) { /* already ended */ } }
    playing.clear();
    playhead = 0;
    state.voice.stops += 1;
    state.voice.active = 0;
    state.voice.stopAt = now();
    state.voice.silentAfterStopMs = null;
    state.voice.lastStop = point ? { index: point.index, reason: point.reason, pieces: state.voice.pieces } : null;
  }
  function playPiece(view) {
    const n = view.byteLength / 2, data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getInt16(i * 2, true) / 32768;
    const buffer = ctx.createBuffer(1, n, SAMPLE_RATE);
    buffer.copyToChannel(data, 0);
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(voiceGain);
    // A small lead absorbs reply jitter; later pieces follow the previous one without a gap.
    const start = Math.max(ctx.currentTime + 0.04, playhead);
    // Where each utterance becomes audible on the session timeline (capture sample 0 = startOffset).
    if (playhead <= ctx.currentTime + 1e-3) {
      state.voice.onsets.push(start - startOffset);
      // ...and when, on this page's wall clock (ms since the epoch), its first sample plays.
      const out = ctx.getOutputTimestamp ? ctx.getOutputTimestamp() : null;
      state.voice.startsAt.push(out && out.performanceTime
        ? performance.timeOrigin + out.performanceTime + (start - out.contextTime) * 1000
        : epoch() * 1000 + (start - ctx.currentTime) * 1000);
    }
    src.start(start);
    playhead = start + buffer.duration;
    playing.add(src);
    state.voice.active = playing.size;
    src.onended = () => { playing.delete(src); state.voice.active = playing.size; };
    state.voice.pieces += 1;
    return start - startOffset;  // where this piece's first sample plays, on the session timeline
  }
  function watchLevel() {
    if (!analyser) return;
    const buf = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(buf);
    let sum = 0; for (const v of buf) sum += v * v;
    const rms = Math.sqrt(sum / buf.length);
    state.voice.level = rms;
    if (rms > 1e-3 && !state.voice.heard) { state.voice.heard = true; state.voice.heardAt = now(); }
    if (state.voice.stopAt !== null && state.voice.silentAfterStopMs === null && rms < 1e-4) {
      state.voice.silentAfterStopMs = now() - state.voice.stopAt;
    }
  }

  // -- capture --------------------------------------------------------------------------------
  function sendAudio(pcm, sample0) {
    const seq = state.seq++;
    const tSend = now();
    state.sentAt.set(seq, tSend);
    const capture = epoch() - dt;  // the chunk's first sample, on the browser's wall clock
    const content = { type: "audio", seq, sample0, t_capture: capture, t_send: epoch() };
    const buffers = [pcm];
    // The camera frame rides on the audio message: one message per microturn, not two, so the
    // kernel and the server handle (and report busy/idle for) half as many messages.
    if (pendingFrame && pendingFrame.t < sample0 / SAMPLE_RATE - 1e-6) {
      // Encoding took longer than a microturn: the frame's microturn is closed. Drop it here
      // rather than send it to be logged as a late gap (its timestamp stays honest).
      pendingFrame = null;
      state.staleFrames = (state.staleFrames || 0) + 1;
    }
    if (pendingFrame) {
      content.frame = { t: pendingFrame.t, seq: pendingFrame.seq };
      buffers.push(pendingFrame.data);
      pendingFrame = null;
      state.frames += 1;
    }
    model.send(content, undefined, buffers);
    sentUntil = (sample0 + chunkSize) / SAMPLE_RATE;
    state.sent += 1;
    if (grabFrame) setTimeout(grabFrame, 0);
  }
  async function encodeFrame(canvas2d) {
    if (!ctx || state.phase !== "live") return;
    // A frame grabbed now belongs to the microturn being filled: never before the audio already
    // sent (ctx.currentTime can lag by a render quantum, which would make the frame "late").
    const t = Math.max(ctx.currentTime - startOffset, sentUntil);
    const blob = await new Promise((res) => canvas2d.toBlob(res, "image/jpeg", 0.7));
    if (!blob || state.phase !== "live") return;
    pendingFrame = { t, seq: frameSeq++, data: await blob.arrayBuffer() };
  }
  function setMuted() {
    const muted = model.get("muted") || (model.get("push_to_talk") && !pttHeld);
    if (node) node.port.postMessage({ muted });
    show();
  }

  async function start() {
    state.phase = "asking"; show();
    const camera = model.get("camera");
    // "room": the browser removes the agent's own voice and steady noise; "measurement": raw microphone.
    const filtered = model.get("capture") !== "measurement";
    try {
      state.gumCalls += 1;
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: filtered, noiseSuppression: filtered, autoGainControl: false },
        video: camera ? { width: { ideal: 320, max: 320 }, height: { ideal: 240, max: 240 }, frameRate: { ideal: 5, max: 5 } } : false,
      });
    } catch (err) {
      state.errors.push(String(err)); state.phase = "denied"; show(); return;
    }
    state.tracks = stream.getTracks();
    // A microphone unplugged (or a camera taken by another app) ends its track: say so and stop.
    for (const track of state.tracks) {
      track.addEventListener("ended", () => fault(`the ${track.kind === "audio" ? "microphone" : "camera"} was disconnected.`));
    }
    const applied = stream.getAudioTracks()[0]?.getSettings?.() ?? {};
    state.filters = { echoCancellation: applied.echoCancellation ?? null, noiseSuppression: applied.noiseSuppression ?? null,
                      autoGainControl: applied.autoGainControl ?? null };
    const onOff = (v) => (v === null ? "unknown" : v ? "on" : "off");
    captureNote.textContent = `${model.get("capture")} mode: echo cancellation ${onOff(state.filters.echoCancellation)}, ` +
      `noise suppression ${onOff(state.filters.noiseSuppression)}`;
    try {
      ctx = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: "interactive" });
    } catch (_) {
      ctx = new AudioContext({ latencyHint: "interactive" });  // the worklet resamples
    }
    const url = URL.createObjectURL(new Blob([WORKLET], { type: "application/javascript" }));
    await ctx.audioWorklet.addModule(url);
    URL.revokeObjectURL(url);
    source = ctx.createMediaStreamSource(stream);
    node = new AudioWorkletNode(ctx, "designkit-capture", { processorOptions: { size: chunkSize }, numberOfOutputs: 0 });
    node.port.onmessage = (e) => {
      if (e.data.start !== undefined) { startOffset = e.data.start; return; }
      if (state.phase === "live") sendAudio(e.data.pcm, e.data.sample0);
    };
    voiceGain = ctx.createGain();
    analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    voiceGain.connect(analyser);
    voiceGain.connect(ctx.destination);
    state.levelTimer = setInterval(watchLevel, 10);
    state.replyTimer = setInterval(watchReplies, 250);
    const keep = ["signals"];
    if (keepAudio.checked) keep.push("audio");
    if (keepVideo.checked && camera) keep.push("video");
    if (keepWords.checked && model.get("hears_words")) keep.push("transcript");
    model.send({ type: "consent", keep, t: epoch(), capture: model.get("capture"), filters: state.filters });
    state.phase = "live";
    setMuted();
    source.connect(node);
    await ctx.resume();
    if (camera && stream.getVideoTracks().length) {
      preview.srcObject = stream;
      await preview.play().catch(() => undefined);
      const c2 = h("canvas", { width: "320", height: "240" });
      const g2 = c2.getContext("2d");
      // A frame is grabbed right after each audio chunk is sent (at most 5 per second), so the
      // kernel decodes it in the idle time after that microturn, not while the next chunk waits.
      grabFrame = () => {
        if (preview.readyState < 2 || now() - lastFrameAt < 190) return;
        lastFrameAt = now();
        const w = Math.min(320, preview.videoWidth || 320), hh = Math.min(240, preview.videoHeight || 240);
        if (c2.width !== w) { c2.width = w; c2.height = hh; }
        g2.drawImage(preview, 0, 0, w, hh);
        encodeFrame(c2);
      };
    }
    show();
  }

  // No reply for a while while chunks go out: the kernel restarted, was interrupted or the
  // connection dropped. Stop capturing rather than stream into nothing; the kernel closes its log
  // (on shutdown, or when chunks stop coming) and a later reconnect starts a new session.
  const NO_REPLY_MS = 2500;
  function fault(why) {
    if (state.phase !== "live") return;
    stopCapture(why);
    state.fault = why;
    state.phase = "fault";
    show();
    try { model.send({ type: "close", why }); } catch (_) { /* the kernel is gone */ }
  }
  function watchReplies() {
    if (state.phase !== "live" || state.sent < 3) return;
    const waiting = [...state.sentAt.values()];
    if (waiting.length && now() - Math.min(...waiting) > NO_REPLY_MS) {
      fault("the kernel stopped answering (restarted, interrupted, or the connection dropped).");
    }
  }

  function stopCapture(why) {
    if (state.replyTimer) { clearInterval(state.replyTimer); state.replyTimer = null; }
    grabFrame = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    if (node) { node.port.onmessage = null; try { node.disconnect(); } catch (_) { /* gone */ } }
    if (source) { try { source.disconnect(); } catch (_) { /* gone */ } }
    node = null; source = null;
    if (playing.size) stopVoice();
    if (state.levelTimer) clearInterval(state.levelTimer);
    if (ctx) { ctx.close().catch(() => undefined); ctx = null; }
    state.stoppedBecause = why;
  }

  // -- messages from the kernel ---------------------------------------------------------------
  model.on("msg:custom", (msg, buffers) => {
    if (msg.type === "hello") {
      state.hello = msg;
      if (state.phase === "waiting") {
        state.phase = msg.consent === "none" ? "ready" : msg.consent === "given" ? "elsewhere" : msg.consent;
        allow.disabled = msg.consent !== "none";
      }
      show();
      return;
    }
    if (msg.type !== "decision" && msg.type !== "ack") return;
    state.replies += 1;
    if (msg.seq !== null && msg.seq !== undefined && state.sentAt.has(msg.seq)) {
      const rtt = now() - state.sentAt.get(msg.seq);
      state.sentAt.delete(msg.seq);
      state.rtts.push(rtt);
      state.breakdown.push({ seq: msg.seq, rtt, kernel_ms: msg.kernel_ms, t_recv: msg.t_recv, t_back: epoch() });
    }
    if (msg.type === "ack") return;
    state.counts = msg.counts;
    if (msg.stop) stopVoice(msg.point);
    const onset = msg.voice && buffers && buffers.length && ctx ? playPiece(buffers[0]) : null;
    const p = msg.point;
    if (p && p.content && ["speak", "backchannel", "caption", "interrupt", "ask"].includes(p.action)) {
      says.textContent = (p.action === "caption" ? "shows: " : "says: ") + "“" + p.content + "”";
      // Why did it say that: hover the line (the person talking can read it too).
      says.title = p.why ? whyLines(p.why).join("\n") : "";
      state.said = state.said || [];
      state.said.push({ t: p.t, action: p.action, content: p.content, reason: p.reason, onset, hover: says.title });
    }
    state.decisions.push(msg.point);
    addToLegend(p.gaps.length ? "silent:gap" : p.reason);
    const keepN = Math.ceil(model.get("window_s") / dt) + 5;
    if (state.decisions.length > keepN) state.decisions.splice(0, state.decisions.length - keepN);
    state.lastPoint = msg.point;
    draw();
    show();
  });
  model.on("change:consent", () => {
    const c = model.get("consent");
    if (c === "revoked" || c === "closed") {
      stopCapture(c);
      // Closed by the kernel on a fault (an interrupt): say why, as for any other fault.
      const why = c === "closed" ? model.get("fault") : "";
      if (why) state.fault = why;
      if (state.phase === "live" || state.phase === "asking") { state.phase = why ? "fault" : c; show(); }
    }
  });
  model.on("change:muted", setMuted);
  model.on("change:push_to_talk", setMuted);

  allow.addEventListener("click", () => { allow.disabled = true; start(); });
  revoke.addEventListener("click", () => {
    stopCapture("revoked");  // the tracks stop now, before the kernel hears about it
    state.phase = "revoked"; show();
    model.send({ type: "revoke", t: epoch() });
  });
  ptt.addEventListener("pointerdown", () => { pttHeld = true; ptt.classList.add("dk-held"); setMuted(); });
  for (const ev of ["pointerup", "pointerleave"]) ptt.addEventListener(ev, () => { pttHeld = false; ptt.classList.remove("dk-held"); setMuted(); });
  const onHide = () => { if (state.phase === "live") { stopCapture("page hidden"); model.send({ type: "close" }); } };
  window.addEventListener("pagehide", onHide);

  globalThis.__designkitLive = globalThis.__designkitLive || [];
  globalThis.__designkitLive.push(state);
  state.percentile = percentile;
  state.tracksEnded = () => (state.tracks || []).every((track) => track.readyState === "ended");
  draw();
  show();
  model.send({ type: "hello" });

  return () => {
    window.removeEventListener("pagehide", onHide);
    if (state.phase === "live") { stopCapture("view removed"); model.send({ type: "close" }); }
  };
}

export default { render };
