import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { HeartbeatMonitor } from "../cluster/heartbeat-monitor.js";
import { BullmqJobs } from "./bullmq-jobs.js";
import { InProcessJobs } from "./in-process-jobs.js";
import { type JobRunner } from "./job-runner.js";

export const JOB_RUNNER = Symbol("JobRunner");

/** Starts the repeatable jobs on nodes with the worker role. */
@Injectable()
class JobSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly monitor: HeartbeatMonitor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.config.roles.includes("worker")) return;
    this.jobs.work("heartbeat-monitor", () => this.monitor.run());
    await this.jobs.repeat("heartbeat-monitor", this.runtime.config.heartbeatMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: JOB_RUNNER,
      useFactory: (rt: Runtime): JobRunner =>
        rt.config.redisUrl
          ? new BullmqJobs(rt.config.redisUrl, rt.config.redisPrefix)
          : new InProcessJobs(),
      inject: [RUNTIME],
    },
    HeartbeatMonitor,
    JobSchedule,
  ],
  exports: [JOB_RUNNER, HeartbeatMonitor],
})
export class JobsModule {}
