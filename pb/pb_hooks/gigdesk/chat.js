/// <reference path="../../pb_data/types.d.ts" />
// Chat (GetStream) side of the server: user tokens for the desktop, and the chat_jobs queue
// that provisions channels. Stream is never called inside a user's write: the write only
// queues a job, and delivery happens after the commit (at once, then by cron with backoff).

const DEFAULT_BASE_URL = "https://chat.stream-io-api.com"
const BREAKER_KEY = "gigdesk.chat.inline_paused_until"
const BREAKER_MS = 30000

function config() {
  const key = $os.getenv("STREAM_API_KEY")
  const secret = $os.getenv("STREAM_API_SECRET")
  const base = ($os.getenv("STREAM_BASE_URL") || DEFAULT_BASE_URL).replace(/\/+$/, "")
  const ttl = parseInt($os.getenv("STREAM_TOKEN_TTL") || "", 10)
  const retry = parseInt($os.getenv("CHAT_JOBS_RETRY_SECONDS") || "", 10)
  return {
    key,
    secret,
    base,
    configured: key !== "" && secret !== "",
    tokenTtl: ttl > 0 ? ttl : 86400,
    retryBase: retry > 0 ? retry : 30,
  }
}

function nowString(offsetSeconds) {
  // PocketBase's own datetime format: UTC, space separator, milliseconds
  return new Date(Date.now() + (offsetSeconds || 0) * 1000).toISOString().replace("T", " ")
}

// GET /api/chat/token
function tokenRoute(e) {
  const cfg = config()
  if (!cfg.configured) {
    return e.json(503, {
      status: 503,
      message: "Chat is not configured on this server: STREAM_API_KEY and STREAM_API_SECRET are not set.",
      data: {},
    })
  }
  const userId = e.auth.id
  const iat = Math.floor(Date.now() / 1000)
  const exp = iat + cfg.tokenTtl
  const token = $security.createJWT({ user_id: userId, iat: iat, exp: exp }, cfg.secret, cfg.tokenTtl)
  return e.json(200, {
    token: token,
    api_key: cfg.key,
    user_id: userId,
    base_url: cfg.base,
    expires_at: exp,
  })
}

function channelId(projectId) {
  return "project-" + projectId
}

// One upsert for several users; a missing user still gets an id-only chat profile.
function userUpsert(app, userIds) {
  const users = {}
  for (const userId of userIds) {
    let name = userId
    try {
      name = app.findRecordById("users", userId).getString("name") || userId
    } catch (_) {
      // keep the id as the name
    }
    users[userId] = { id: userId, name: name }
  }
  return { method: "POST", path: "/users", body: { users: users } }
}

function enqueue(app, kind, channel, requests) {
  const job = new Record(app.findCollectionByNameOrId("chat_jobs"))
  job.set("kind", kind)
  job.set("channel", channel)
  job.set("requests", requests)
  job.set("state", "pending")
  job.set("attempts", 0)
  job.set("next_attempt_at", nowString())
  app.save(job)
}

// A project's channel is reconciled, not merely created or added to: at delivery time the
// job reads the project and makes the channel's membership exactly its participants (the
// owner, and the hired freelancer once there is one), removing anyone else. A channel that
// someone created before the backend did (a user token, while this job waited for a retry,
// on a Stream app whose grants still let users create `messaging` channels) is taken back:
// the intruder is removed, and the channel's name and project_id are set again.
function reconcileStep(project) {
  return { reconcile_project: project.id }
}

// Called from the projects model hooks, inside the same transaction as the write.
function queueProjectCreated(app, project) {
  enqueue(app, "create_channel", channelId(project.id), [reconcileStep(project)])
}

function queueProjectUpdated(app, project, before) {
  const channel = channelId(project.id)
  const hired = project.getString("hired_freelancer")
  if (hired !== "" && hired !== before.getString("hired_freelancer")) {
    enqueue(app, "add_member", channel, [reconcileStep(project)])
  }
  const deleted = project.getBool("deleted")
  if (deleted !== before.getBool("deleted")) {
    enqueue(app, deleted ? "freeze" : "unfreeze", channel, [
      { method: "PATCH", path: "/channels/messaging/" + channel, body: { set: { frozen: deleted } } },
    ])
  }
}

const MEMBERS_PAGE = 100
const MAX_MEMBER_PAGES = 50
const MESSAGES_PAGE = 100

// Authors of the answer's (latest) messages who are not participants.
function foreignWriters(answer, participants) {
  const out = []
  for (const m of (answer && answer.messages) || []) {
    const id = (m && ((m.user && m.user.id) || m.user_id)) || ""
    if (typeof id === "string" && id !== "" && participants.indexOf(id) < 0 && out.indexOf(id) < 0) {
      out.push(id)
    }
  }
  return out
}

function memberIds(answer) {
  const out = []
  const members = (answer && answer.members) || []
  for (const m of members) {
    const id = (m && (m.user_id || (m.user && m.user.id))) || ""
    if (typeof id === "string" && id !== "") {
      out.push(id)
    }
  }
  return out
}

// Gets or creates the channel, then sets its membership to exactly the project's participants.
function reconcileProject(app, cfg, projectId, timeout) {
  let project
  try {
    project = app.findRecordById("projects", projectId)
  } catch (_) {
    return // removed by a superuser: nothing to keep in step
  }
  const owner = project.getString("owner")
  const hired = project.getString("hired_freelancer")
  const participants = hired !== "" && hired !== owner ? [owner, hired] : [owner]
  const path = "/channels/messaging/" + channelId(project.id)

  send(cfg, userUpsert(app, participants), timeout)
  const data = {
    created_by_id: owner,
    members: participants,
    name: project.getString("title"),
    project_id: project.id,
  }
  let answer = send(cfg, { method: "POST", path: path + "/query", body: {
    data: data, state: true, watch: false, presence: false,
    members: { limit: MEMBERS_PAGE, offset: 0 }, messages: { limit: MESSAGES_PAGE },
  } }, timeout)
  if (!answer || !Array.isArray(answer.members)) {
    throw new Error("POST " + path + "/query answered without a member list")
  }
  const firstAnswer = answer
  const creator = (answer.channel && answer.channel.created_by && answer.channel.created_by.id) || ""
  let current = memberIds(answer)
  for (let page = 1; answer.members.length >= MEMBERS_PAGE; page++) {
    if (page >= MAX_MEMBER_PAGES) {
      throw new Error(path + " has more than " + MEMBERS_PAGE * MAX_MEMBER_PAGES + " members")
    }
    answer = send(cfg, { method: "POST", path: path + "/query", body: {
      state: true, watch: false, presence: false,
      members: { limit: MEMBERS_PAGE, offset: page * MEMBERS_PAGE },
    } }, timeout)
    current = current.concat(memberIds(answer))
  }

  const extra = current.filter((id) => participants.indexOf(id) < 0)
  const missing = participants.filter((id) => current.indexOf(id) < 0)
  if (extra.length > 0) {
    send(cfg, { method: "POST", path: path, body: { remove_members: extra } }, timeout)
    app.logger().warn("chat channel had members outside the project; removed",
      "channel", channelId(project.id), "removed", extra.join(","))
  }
  // What an intruder wrote before provisioning (a "pay me here" note in the project's own
  // channel) must never reach the participants: a channel someone else created, or one with
  // messages from outside the project, loses its history for everyone.
  const writers = foreignWriters(firstAnswer, participants)
  if ((creator !== "" && creator !== owner) || writers.length > 0) {
    send(cfg, { method: "POST", path: path + "/truncate", body: {} }, timeout)
    app.logger().warn("chat channel held history from outside the project; truncated",
      "channel", channelId(project.id), "created_by", creator, "writers", writers.join(","))
  }
  if (missing.length > 0) {
    send(cfg, { method: "POST", path: path, body: { add_members: missing } }, timeout)
  }
  if (creator !== "" && creator !== owner) {
    // someone else created it: its name and project_id are theirs, set ours again
    send(cfg, { method: "PATCH", path: path, body: { set: { name: data.name, project_id: data.project_id } } }, timeout)
    app.logger().warn("chat channel was created by someone else; taken back",
      "channel", channelId(project.id), "created_by", creator)
  }
}

function send(cfg, request, timeout) {
  const token = $security.createJWT({ server: true }, cfg.secret, 300)
  const res = $http.send({
    method: request.method,
    url: cfg.base + request.path + "?api_key=" + encodeURIComponent(cfg.key),
    headers: {
      "Authorization": token,
      "Stream-Auth-Type": "jwt",
      "Content-Type": "application/json",
    },
    body: JSON.stringify(request.body),
    timeout: timeout,
  })
  if (res.statusCode < 200 || res.statusCode > 299) {
    const text = toString(res.body).slice(0, 500)
    throw new Error(request.method + " " + request.path + " answered " + res.statusCode + ": " + text)
  }
  return res.json
}

// Delivers due jobs in queue order. A channel whose earlier job is still pending (failed or
// waiting for its retry time) holds back its later jobs, so a member is never added to a
// channel that doesn't exist yet and a freeze never overtakes an unfreeze.
// Returns {delivered, failed, skipped}.
function deliverPending(app, opts) {
  const cfg = config()
  const result = { delivered: 0, failed: 0, skipped: 0 }
  if (!cfg.configured) {
    return result
  }
  // While the chat service is failing, writes stop trying it inline (a batch of creates must
  // not wait a timeout per record); the cron keeps retrying regardless.
  const immediate = !!(opts && opts.immediate)
  if (immediate && Date.now() < (app.store().get(BREAKER_KEY) || 0)) {
    return result
  }
  const timeout = (opts && opts.timeout) || 10
  const limit = (opts && opts.limit) || 100
  const onlyChannel = (opts && opts.channel) || ""

  const rows = arrayOf(new DynamicModel({ id: "", channel: "", next_attempt_at: "" }))
  app.db()
    .newQuery("SELECT id, channel, next_attempt_at FROM chat_jobs WHERE state = 'pending'" +
      (onlyChannel ? " AND channel = {:channel}" : "") + " ORDER BY rowid LIMIT {:limit}")
    .bind({ channel: onlyChannel, limit: limit })
    .all(rows)

  const now = nowString()
  const held = {}
  for (const row of rows) {
    if (held[row.channel]) {
      result.skipped++
      continue
    }
    if (row.next_attempt_at !== "" && row.next_attempt_at > now) {
      held[row.channel] = true
      result.skipped++
      continue
    }
    let job
    try {
      job = app.findRecordById("chat_jobs", row.id)
    } catch (_) {
      continue
    }
    if (job.getString("state") !== "pending") {
      continue // delivered meanwhile by a concurrent run
    }
    const attempts = job.getInt("attempts") + 1
    job.set("attempts", attempts)
    try {
      const requests = JSON.parse(toString(job.get("requests")))
      for (const request of requests) {
        if (request.reconcile_project) {
          reconcileProject(app, cfg, request.reconcile_project, timeout)
        } else {
          send(cfg, request, timeout)
        }
      }
      job.set("state", "done")
      job.set("last_error", "")
      result.delivered++
      app.store().remove(BREAKER_KEY)
    } catch (err) {
      held[row.channel] = true
      const delay = Math.min(cfg.retryBase * Math.pow(2, attempts - 1), 3600)
      job.set("next_attempt_at", nowString(delay))
      job.set("last_error", String(err).slice(0, 2000))
      result.failed++
      app.store().set(BREAKER_KEY, Date.now() + BREAKER_MS)
      app.logger().warn("chat job failed", "job", job.id, "kind", job.getString("kind"),
        "attempts", attempts, "error", String(err))
    }
    app.save(job)
  }
  return result
}

// Right after a commit: try the channel's jobs at once, briefly. Never throws: the record is
// already saved and the cron retries whatever did not go out.
function deliverSoon(app, projectId) {
  try {
    deliverPending(app, { channel: channelId(projectId), timeout: 3, limit: 10, immediate: true })
  } catch (err) {
    app.logger().warn("chat delivery deferred to cron", "project", projectId, "error", String(err))
  }
}

module.exports = {
  config,
  tokenRoute,
  queueProjectCreated,
  queueProjectUpdated,
  deliverPending,
  deliverSoon,
}
