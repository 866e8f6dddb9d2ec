/// <reference path="../../pb_data/types.d.ts" />
// People: what a review changes on its subject's profile, and the mail settings a deployer
// gives through the environment.

// A user's review_count and rating_average over the reviews about them that are not withdrawn.
// Runs in the transaction of the review's save, so the profile never disagrees with the reviews.
function refreshRating(app, userId) {
  if (!userId) {
    return
  }
  const result = new DynamicModel({ count: 0, total: 0 })
  app.db()
    .newQuery("SELECT COUNT(*) AS count, COALESCE(SUM(rating), 0) AS total FROM reviews " +
              "WHERE subject = {:subject} AND deleted = FALSE")
    .bind({ subject: userId })
    .one(result)
  const user = app.findRecordById("users", userId)
  const count = result.count
  // two decimals are all a profile shows, and they keep the stored value stable
  const average = count > 0 ? Math.round((result.total / count) * 100) / 100 : 0
  if (user.getInt("review_count") === count && user.getFloat("rating_average") === average) {
    return
  }
  user.set("review_count", count)
  user.set("rating_average", average)
  app.saveNoValidate(user)
}

// What a review may say: the stars are whole numbers 1-5 (the schema says so too); the text
// has no leading or trailing blank space and is not only blank space.
function checkReview(record) {
  const text = record.getString("text")
  const trimmed = text.trim()
  if (trimmed !== text) {
    record.set("text", trimmed)
  }
}

// SMTP and sender from the environment, read at every start, so a deployer never stores the
// SMTP password in a migration (or on a command line):
//   SMTP_HOST, SMTP_PORT (587), SMTP_USERNAME, SMTP_PASSWORD, SMTP_TLS (true: implicit TLS,
//   as on port 465; otherwise STARTTLS when the server offers it),
//   MAIL_SENDER_ADDRESS, MAIL_SENDER_NAME (Gigdesk).
// Without SMTP_HOST the settings stay as the Dashboard left them.
function applyMailSettings(app) {
  const host = $os.getenv("SMTP_HOST")
  if (host === "") {
    return
  }
  const port = parseInt($os.getenv("SMTP_PORT") || "587", 10)
  if (!(port > 0 && port < 65536)) {
    throw new Error("SMTP_PORT must be a port number, not " + JSON.stringify($os.getenv("SMTP_PORT")))
  }
  const sender = $os.getenv("MAIL_SENDER_ADDRESS")
  if (sender === "") {
    throw new Error("MAIL_SENDER_ADDRESS must be set together with SMTP_HOST")
  }
  const settings = app.settings()
  settings.smtp.enabled = true
  settings.smtp.host = host
  settings.smtp.port = port
  settings.smtp.username = $os.getenv("SMTP_USERNAME")
  settings.smtp.password = $os.getenv("SMTP_PASSWORD")
  settings.smtp.tls = $os.getenv("SMTP_TLS") === "true"
  settings.meta.senderAddress = sender
  settings.meta.senderName = $os.getenv("MAIL_SENDER_NAME") || "Gigdesk"
  app.save(settings)
}

module.exports = {
  refreshRating,
  checkReview,
  applyMailSettings,
}
