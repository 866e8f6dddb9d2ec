/// <reference path="../pb_data/types.d.ts" />
// Accounts (gigdesk/accounts.js): a sign-up answers alike whether or not its address is taken,
// and addresses are compared without regard to case. Registered before gigdesk.pb.js (files
// load in name order), so the profile checks there run inside the uniform sign-up.

onRecordCreateRequest((e) => {
  require(`${__hooks}/gigdesk/accounts.js`).createAccount(e)
}, "users")

onRecordAuthWithPasswordRequest((e) => {
  require(`${__hooks}/gigdesk/accounts.js`).findAccountForSignIn(e)
}, "users")
