/**
 * Everything the run must undo (the started system, open connections), run
 * once: at the end, on an error, or on Ctrl-C / SIGTERM.
 */
export class Cleanup {
  private readonly tasks: Array<[string, () => Promise<unknown>]> = [];
  private running: Promise<void> | undefined;

  add(name: string, task: () => Promise<unknown>): void {
    this.tasks.push([name, task]);
  }

  /** Last added, first undone; a failing task does not stop the others. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const [name, task] of [...this.tasks].reverse()) {
        try {
          await task();
        } catch (err) {
          console.error(`cleanup: ${name} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** First signal: clean up, then exit 130/143. A second one exits at once. */
  installSignalHandlers(): void {
    let signalled = false;
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      process.on(signal, () => {
        if (signalled) process.exit(code);
        signalled = true;
        console.error(`\n${signal}: stopping the services and removing the test database, Redis keys and files...`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }
}
