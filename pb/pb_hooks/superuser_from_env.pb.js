/// <reference path="../pb_data/types.d.ts" />
// `pocketbase superuser-from-env`: creates, or updates if the email exists, the superuser given as
// GIG_PB_SUPERUSER="EMAIL:PASSWORD" in the environment. It does what `pocketbase superuser upsert
// EMAIL PASSWORD` does, except that the password never appears on a command line, where `ps`
// shows it to every user of the machine. build-aux/pb-serve and the tests use it.

$app.rootCmd.addCommand(new Command({
  use: 'superuser-from-env',
  short: 'Creates, or updates if the email exists, the superuser GIG_PB_SUPERUSER=EMAIL:PASSWORD',
  run: () => {
    const value = $os.getenv('GIG_PB_SUPERUSER');
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1)
      throw new Error('set GIG_PB_SUPERUSER=EMAIL:PASSWORD in the environment');
    const email = value.slice(0, colon);
    const password = value.slice(colon + 1);
    const superusers = $app.findCollectionByNameOrId('_superusers');
    let record;
    try {
      record = $app.findAuthRecordByEmail(superusers, email);
    } catch (notFound) {
      record = new Record(superusers);
      record.setEmail(email);
    }
    record.setPassword(password);
    $app.save(record);
  },
}));
