import {
  type ConsumerAckFrame,
  type Principal,
  type ServerFrame,
  type StreamsService,
} from "@strata/core";
import { TooManyInFlight } from "./ws-errors.js";

/** A connection's `consumer_ack` frames: each answered by `consumer_acked` or an error, a bounded number at once. */
export class ConsumerAcks {
  private pending = 0;

  constructor(
    private readonly streams: StreamsService,
    private readonly principal: Principal,
    private readonly maxPending: number,
    private readonly answer: {
      send(frame: ServerFrame): void;
      error(id: ConsumerAckFrame["id"], err: unknown): void;
    },
  ) {}

  ack(f: ConsumerAckFrame): void {
    if (this.pending >= this.maxPending) throw new TooManyInFlight("requests", this.maxPending);
    this.pending++;
    this.streams
      .ackConsumer(this.principal, f.stream, f.consumer, f.seq)
      .then(
        (c) =>
          this.answer.send({
            type: "consumer_acked",
            id: f.id,
            stream: f.stream,
            consumer: f.consumer,
            acked_seq: c.ackedSeq,
          }),
        (err: unknown) => this.answer.error(f.id, err),
      )
      .finally(() => this.pending--);
  }
}
