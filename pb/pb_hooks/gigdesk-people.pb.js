/// <reference path="../pb_data/types.d.ts" />
// People: reviews keep their subject's rating current; mail settings come from the environment
// (gigdesk/people.js). Transactions, deleted_at stamps and the empty-page fast path for reviews
// are registered with the other collections' in gigdesk.pb.js.

onBootstrap((e) => {
  e.next()
  require(`${__hooks}/gigdesk/people.js`).applyMailSettings(e.app)
})

onRecordCreateRequest((e) => {
  require(`${__hooks}/gigdesk/people.js`).checkReview(e.record)
  e.next()
}, "reviews")

onRecordUpdateRequest((e) => {
  require(`${__hooks}/gigdesk/people.js`).checkReview(e.record)
  e.next()
}, "reviews")

// In the transaction of the review's save: the profile never disagrees with the reviews.
onRecordCreate((e) => {
  e.next()
  require(`${__hooks}/gigdesk/people.js`).refreshRating(e.app, e.record.getString("subject"))
}, "reviews")

onRecordUpdate((e) => {
  e.next()
  require(`${__hooks}/gigdesk/people.js`).refreshRating(e.app, e.record.getString("subject"))
}, "reviews")
