// Starts the DingTalk simulator on its own: `node dist/apps/dingtalk-sim/src/main.js`.
import { loadConfigOrExit } from '@hotline/config';
import { SIM_APP, startDingTalkSimulator } from './simulator';

async function main(): Promise<void> {
  const config = loadConfigOrExit({ role: 'tool' });
  const sim = await startDingTalkSimulator({ port: config.dingtalk.simulatorPort, host: config.host });
  process.stdout.write(
    `钉钉模拟器 listening on ${sim.url} (demo page ${sim.url}/; appKey ${SIM_APP.appKey}, agentId ${SIM_APP.agentId}, corpId ${SIM_APP.corpId})\n`,
  );
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`钉钉模拟器 failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
