/// <reference path="../pb_data/types.d.ts" />
// Outgoing calls to the chat service, queued in the same transaction as the record write that
// caused them and delivered by pb_hooks/ (right after the commit, then by cron with backoff).
// Superusers only: every rule is null.
migrate((app) => {
  const jobs = new Collection({
    id: "pbc_gd_chat_jobs",
    type: "base",
    name: "chat_jobs",
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [
      { name: "kind", type: "select", required: true, maxSelect: 1,
        values: ["create_channel", "add_member", "freeze", "unfreeze"] },
      { name: "channel", type: "text", required: true, max: 100 },
      // [{method, path, body}], sent in order; each call is idempotent on the chat side
      { name: "requests", type: "json", required: true, maxSize: 100000 },
      { name: "state", type: "select", required: true, maxSelect: 1, values: ["pending", "done"] },
      { name: "attempts", type: "number", min: 0, onlyInt: true },
      { name: "next_attempt_at", type: "date" },
      { name: "last_error", type: "text", max: 2000 },
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_chat_jobs_pending ON chat_jobs (state, next_attempt_at)",
      "CREATE INDEX idx_chat_jobs_channel ON chat_jobs (channel, created)",
    ],
  })
  app.save(jobs)
}, (app) => {
  app.delete(app.findCollectionByNameOrId("chat_jobs"))
})
