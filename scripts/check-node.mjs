// npm runs on whatever Node the machine has; the project runs on the Node 24 that the `node`
// devDependency puts in node_modules/.bin. This says which one a script got, and refuses any other.
const major = Number(process.versions.node.split('.')[0]);
// Installed as someone else's dependency, npm runs this from our folder while INIT_CWD is theirs:
// their runtime is their business.
const asDependency = process.env.INIT_CWD !== undefined && process.env.INIT_CWD !== process.cwd();
if (major !== 24 && !asDependency) {
  console.error(
    `This project runs on Node 24 (node_modules/.bin/node from the "node" devDependency); ` +
      `this script got ${process.version} from ${process.execPath}. Run it through npm ` +
      `(npm start, npm test) after npm ci, and do not install with --ignore-scripts.`,
  );
  process.exit(1);
}
if (process.argv.includes('--say') && !asDependency) {
  console.log(`runtime: Node ${process.version} (${process.execPath})`);
}
