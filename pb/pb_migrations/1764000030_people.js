/// <reference path="../pb_data/types.d.ts" />
// People: a fuller public profile, reviews between a completed project's client and its hired
// freelancer, and the mails of PocketBase's account flows (verify the address, reset a
// forgotten password, change the address) worded for the desktop.
//
// Profile fields are readable by every signed-in user (the users rules of
// 1764000000_users_profile.js); the email stays private. `review_count` and `rating_average`
// are kept by the server (pb_hooks/gigdesk/people.js) and no request may set them.
//
// A review is written once per project and author, only by the project's owner about its hired
// freelancer or the other way round, only once the project is completed. Its author may change
// the stars and the text or withdraw it (deleted = true, which the average then leaves out);
// nobody hard-deletes it, and nobody writes a second one for the same project.
migrate((app) => {
  const users = app.findCollectionByNameOrId("users")
  const projectsId = app.findCollectionByNameOrId("projects").id
  const signedIn = '@request.auth.id != "" && @request.auth.collectionName = "users"'

  users.fields.add(new TextField({ name: "bio", max: 5000 }))
  users.fields.add(new NumberField({ name: "hourly_rate", min: 0, max: 100000 }))
  users.fields.add(new TextField({ name: "rate_currency", max: 3, pattern: "^[A-Z]{3}$" }))
  // an IANA zone name ("Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC")
  users.fields.add(new TextField({ name: "timezone", max: 64, pattern: "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$" }))
  users.fields.add(new NumberField({ name: "review_count", min: 0, onlyInt: true }))
  users.fields.add(new NumberField({ name: "rating_average", min: 0, max: 5 }))

  const serverKept = ' && @request.body.review_count:isset = false && @request.body.rating_average:isset = false'
  users.createRule = (users.createRule || "") + serverKept
  users.updateRule = users.updateRule + serverKept

  // Mails link to the desktop (gigdesk: URIs, which the desktop file handles) and carry the
  // code as text too, for a mail read on another device: paste it into Gigdesk.
  const mail = (intro, action, uriAction, outro) => ({
    subject: "",
    body:
      "<p>Hello,</p>\n" +
      "<p>" + intro + "</p>\n" +
      '<p><a href="gigdesk:' + uriAction + '?token={TOKEN}">' + action + "</a></p>\n" +
      "<p>Or paste this code into Gigdesk:</p>\n" +
      "<p><code>{TOKEN}</code></p>\n" +
      "<p>" + outro + "</p>\n" +
      "<p>Thanks,<br/>\n{APP_NAME}</p>",
  })
  users.verificationTemplate = Object.assign(mail(
    "Confirm that this is your address to finish setting up your Gigdesk account.",
    "Confirm Your Address", "verify-email",
    "If you did not sign up for Gigdesk, ignore this mail."),
    { subject: "Confirm your address for {APP_NAME}" })
  users.resetPasswordTemplate = Object.assign(mail(
    "Someone asked to reset the password of the Gigdesk account with this address.",
    "Choose a New Password", "reset-password",
    "If it was not you, ignore this mail: your password stays as it is."),
    { subject: "Reset your {APP_NAME} password" })
  users.confirmEmailChangeTemplate = Object.assign(mail(
    "Confirm that your Gigdesk account should use this address from now on.",
    "Use This Address", "confirm-email-change",
    "If you did not ask for this, ignore this mail: your account keeps its current address."),
    { subject: "Confirm your new {APP_NAME} address" })
  app.save(users)

  const reviews = new Collection({
    id: "pbc_gd_reviews",
    type: "base",
    name: "reviews",
    fields: [
      { name: "project", type: "relation", required: true, maxSelect: 1,
        collectionId: projectsId, cascadeDelete: false },
      { name: "author", type: "relation", required: true, maxSelect: 1,
        collectionId: users.id, cascadeDelete: false },
      { name: "subject", type: "relation", required: true, maxSelect: 1,
        collectionId: users.id, cascadeDelete: false },
      { name: "rating", type: "number", required: true, min: 1, max: 5, onlyInt: true },
      { name: "text", type: "text", max: 5000 },
      { name: "deleted", type: "bool" },
      { name: "deleted_at", type: "date" },
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_reviews_updated_id ON reviews (updated, id)",
      // once per project and author, withdrawn ones included
      "CREATE UNIQUE INDEX idx_reviews_once ON reviews (project, author)",
      "CREATE INDEX idx_reviews_subject ON reviews (subject, deleted)",
    ],
  })
  reviews.listRule = signedIn
  reviews.viewRule = signedIn
  reviews.createRule = signedIn + ' && author = @request.auth.id && deleted = false' +
    ' && project.status = "completed" && project.deleted = false && (' +
    '(project.owner = @request.auth.id && subject = project.hired_freelancer)' +
    ' || (project.hired_freelancer = @request.auth.id && subject = project.owner))'
  reviews.updateRule = signedIn + ' && author = @request.auth.id' +
    ' && @request.body.project:changed = false && @request.body.author:changed = false' +
    ' && @request.body.subject:changed = false'
  reviews.deleteRule = null
  app.save(reviews)

  // {APP_NAME} in the mails
  const settings = app.settings()
  settings.meta.appName = "Gigdesk"
  settings.meta.senderName = "Gigdesk"
  app.save(settings)
}, (app) => {
  const settings = app.settings()
  settings.meta.appName = "Acme"
  settings.meta.senderName = "Support"
  app.save(settings)

  app.delete(app.findCollectionByNameOrId("reviews"))
  const users = app.findCollectionByNameOrId("users")
  for (const name of ["bio", "hourly_rate", "rate_currency", "timezone", "review_count", "rating_average"]) {
    users.fields.removeByName(name)
  }
  const serverKept = ' && @request.body.review_count:isset = false && @request.body.rating_average:isset = false'
  users.createRule = (users.createRule || "").replace(serverKept, "")
  users.updateRule = users.updateRule.replace(serverKept, "")
  app.save(users)
})
