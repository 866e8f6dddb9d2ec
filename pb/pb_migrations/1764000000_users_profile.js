/// <reference path="../pb_data/types.d.ts" />
// The built-in `users` auth collection gets a public profile. Emails stay private:
// sign-up and profile edits may not turn emailVisibility on (see the rules below).
migrate((app) => {
  const users = app.findCollectionByNameOrId("users")

  users.fields.add(new TextField({ name: "headline", max: 160 }))
  users.fields.add(new JSONField({ name: "skills", maxSize: 4000 }))

  const noPublicEmail = '(@request.body.emailVisibility:isset = false || @request.body.emailVisibility = false)'
  users.listRule = '@request.auth.id != ""'
  users.viewRule = '@request.auth.id != ""'
  users.createRule = noPublicEmail
  users.updateRule = 'id = @request.auth.id && ' + noPublicEmail
  users.deleteRule = null

  users.authToken.duration = 14 * 24 * 3600

  users.addIndex("idx_users_updated_id", false, "updated, id", "")

  app.save(users)
}, (app) => {
  const users = app.findCollectionByNameOrId("users")
  users.fields.removeByName("headline")
  users.fields.removeByName("skills")
  users.listRule = "id = @request.auth.id"
  users.viewRule = "id = @request.auth.id"
  users.createRule = ""
  users.updateRule = "id = @request.auth.id"
  users.deleteRule = "id = @request.auth.id"
  users.authToken.duration = 432000
  users.removeIndex("idx_users_updated_id")
  app.save(users)
})
