/// <reference path="../pb_data/types.d.ts" />
// Agreements: a started milestone's terms are frozen (see gigdesk/agreements.js). Registered in
// its own file. Like every hook check it runs before the record is saved: a refusal leaves the
// record as it was and, inside a batch, rolls the whole batch back.

onRecordUpdateRequest((e) => {
  require(`${__hooks}/gigdesk/agreements.js`).checkMilestoneTerms(e)
  e.next()
}, "milestones")
