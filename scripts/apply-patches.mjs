// Applies patches/ (patch-package) to our own install. Installed as someone else's dependency, npm
// runs this from our folder while INIT_CWD is theirs: their node_modules are their business, and
// patch-package (a devDependency) is not there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const asDependency = process.env.INIT_CWD !== undefined && process.env.INIT_CWD !== process.cwd();
if (!asDependency && existsSync('patches')) {
  const run = spawnSync(
    process.execPath,
    ['node_modules/patch-package/index.js', '--error-on-fail'],
    { stdio: 'inherit' },
  );
  process.exit(run.status ?? 1);
}
