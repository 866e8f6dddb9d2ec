/// <reference path="../pb_data/types.d.ts" />
// The desktop pushes offline work through /api/batch, which is off by default.
// The timeout bounds the longest write transaction, which is also the overlap window the
// desktop's incremental sync re-reads behind its cursor.
migrate((app) => {
  const settings = app.settings()
  settings.batch.enabled = true
  settings.batch.maxRequests = 500
  settings.batch.timeout = 10
  app.save(settings)
}, (app) => {
  const settings = app.settings()
  settings.batch.enabled = false
  settings.batch.maxRequests = 50
  settings.batch.timeout = 3
  app.save(settings)
})
