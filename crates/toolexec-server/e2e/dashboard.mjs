// Drives the toolexec dashboard in Debian's headless Chromium.
//
//   node e2e/dashboard.mjs <base-url> <screenshot.png>
//
// Loads the page, types the token (TOOLEXEC_API_TOKEN) into its prompt, runs a batch
// through the API, waits until its calls show in the live list, the per-tool
// statistics, the in-flight list and the recent failures, and saves a screenshot. Prints one JSON line of what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: node e2e/dashboard.mjs <base-url> <screenshot.png>");
  process.exit(2);
}
const token = process.env.TOOLEXEC_API_TOKEN || "";
const STEP_MS = 15000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  // Playwright gives every launch a fresh, empty profile directory of its own.
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  timeout: STEP_MS,
});
const seen = {};
let page;
try {
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(base, { timeout: STEP_MS });
  if (token) {
    // As a person would: the page asks for the token, we type it in.
    await page.waitForSelector('#conn[data-state="auth"]', { timeout: STEP_MS });
    await page.fill("#token-input", token);
    await page.click('#token-form button[type="submit"]');
    seen.asked_for_token = true;
  }
  await page.waitForSelector('#conn[data-state="live"]', { timeout: STEP_MS });
  seen.connected = true;

  const calls = [
    ...[1, 2, 3, 4].map((i) => ({ tool: "echo", call_id: `e2e-ok-${i}`, input: { latency_ms: 20 * i } })),
    { tool: "flaky", call_id: "e2e-flaky" },
    { tool: "echo", call_id: "e2e-bad", input: { fail_with: "tool_error" } },
    { tool: "echo", call_id: "e2e-slow", input: { latency_ms: 8000, progress_steps: 8 } },
  ];
  const res = await fetch(`${base}/v1/batches?wait=false`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ calls }),
  });
  if (res.status !== 202) throw new Error(`POST /v1/batches answered ${res.status}: ${await res.text()}`);
  seen.batch_id = (await res.json()).batch_id;

  const wait = (selector) => page.waitForSelector(selector, { timeout: STEP_MS });
  for (const id of ["e2e-ok-1", "e2e-ok-4", "e2e-flaky"]) {
    await wait(`#live-calls tr[data-call-id="${id}"][data-status="success"]`);
  }
  await wait('#live-calls tr[data-call-id="e2e-bad"][data-status="failed"]');
  seen.live_rows = await page.locator("#live-calls tbody tr").count();
  await wait('#in-flight tr[data-call-id="e2e-slow"]');
  seen.in_flight = true;
  await page.waitForFunction(
    () => (document.querySelector('#live-calls tr[data-call-id="e2e-slow"] td.progress')?.textContent || "").includes("/8"),
    null, { timeout: STEP_MS });
  seen.slow_progress = await page.locator('#live-calls tr[data-call-id="e2e-slow"] td.progress').textContent();
  await wait('#failures tr[data-call-id="e2e-bad"]');
  seen.failure_message = await page.locator('#failures tr[data-call-id="e2e-bad"] td.msg').textContent();
  await page.waitForFunction(
    () => Number(document.querySelector('#tools tr[data-tool="echo"]')?.dataset.total) >= 5,
    null, { timeout: STEP_MS });
  seen.echo_row = await page.locator('#tools tr[data-tool="echo"]').innerText();
  seen.echo_policies = await page.locator('#tools tr[data-tool="echo"] td.policies').textContent();
  if (consoleErrors.length) throw new Error("page errors: " + consoleErrors.join("; "));
  await page.screenshot({ path: screenshot, fullPage: true });
  seen.screenshot = screenshot;
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  if (page) await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error), ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
