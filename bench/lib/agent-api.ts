// The running agent's local API, as the CLI calls it (api-url and api-token in its data folder):
// the benchmark pauses and resumes sending to queue a backlog for the outbox.
import { apiTarget, callApi } from '../../src/cli/local-api-client.ts';
import { ROUTES } from '../../src/contract/routes.ts';

export interface AgentApi {
  /** POST /api/v1/pause: new captures wait as `held`, nothing is sent. */
  pause(): Promise<void>;
  /** POST /api/v1/resume: the held documents go back to the queue and the outbox wakes. */
  resume(): Promise<void>;
}

/** Reads the agent's api-url and api-token (written before it reports it is running). */
export async function connectAgentApi(dataDir: string): Promise<AgentApi> {
  const target = await apiTarget(dataDir);
  const expect = async (route: typeof ROUTES.pause | typeof ROUTES.resume, paused: boolean): Promise<void> => {
    const answer = (await callApi(target, route)) as { paused?: unknown } | null;
    if (answer?.paused !== paused) throw new Error(`POST ${route.path}: the agent answered ${JSON.stringify(answer)}, expected {"paused": ${paused}}`);
  };
  return {
    pause: () => expect(ROUTES.pause, true),
    resume: () => expect(ROUTES.resume, false),
  };
}
