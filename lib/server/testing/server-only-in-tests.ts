// What vitest loads for the `server-only` marker package: the package only throws when it
// is imported outside Next's server bundle, which is what tests of route glue do. It has no
// exports, so there is nothing to fake.
export {};
