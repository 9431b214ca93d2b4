import { blobSizeVerdict } from '../../../common/blob-size';
import { enums, google, int64, temporal, toNumber } from '../../../common/proto';
import { BadCommandError } from '../../state/commands';
import type { RunMutator } from '../../state/mutator';
import { unprocessedUpdateFailure } from './update-failures';
import type { InFlightUpdate, UpdateRegistry } from './update-registry';

type IMessage = temporal.api.protocol.v1.IMessage;
const update = temporal.api.update.v1;
const BAD_MESSAGE = enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE;

/** A message body that is not the protobuf its type URL names fails the task, as Temporal's Any.UnmarshalNew error does. */
function decodeBody<T>(type: { decode(data: Uint8Array): T }, value: Uint8Array): T {
  try {
    return type.decode(value);
  } catch (err) {
    throw new BadCommandError(BAD_MESSAGE, `unable to unmarshal request: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The update protocol messages of one workflow task completion. Acceptances and responses become
 * history events at the position of their ProtocolMessage command (or after all commands when no
 * command names them); rejections write nothing. Registry changes are held back as effects and run
 * only once the transaction has committed.
 */
export class UpdateProtocol {
  private readonly byId = new Map<string, IMessage>();
  private readonly handled = new Set<string>();
  private readonly answered = new Set<string>();
  private readonly effects: (() => void)[] = [];

  constructor(
    private readonly m: RunMutator,
    private readonly registry: UpdateRegistry,
    messages: IMessage[],
  ) {
    for (const msg of messages) if (msg.id) this.byId.set(msg.id, msg);
  }

  apply(messageId: string): void {
    const msg = this.byId.get(messageId);
    if (!msg) throw new BadCommandError(BAD_MESSAGE, `ProtocolMessageCommand names message ${messageId}, which the completion does not carry.`);
    this.handle(messageId, msg);
  }

  applyRemaining(): void {
    for (const [id, msg] of this.byId) if (!this.handled.has(id)) this.handle(id, msg);
  }

  /** Wakes update callers; updates sent with this task but left unanswered are rejected, as Temporal does. */
  commit(rejectUnanswered: boolean): void {
    for (const effect of this.effects) effect();
    if (!rejectUnanswered) return;
    for (const u of this.registry.forRun(this.m.ms.runId, 'sent')) {
      if (!this.answered.has(u.updateId)) {
        this.registry.advance(u, 'completed', { failure: unprocessedUpdateFailure() });
      }
    }
  }

  private handle(messageId: string, msg: IMessage): void {
    this.handled.add(messageId);
    const updateId = msg.protocolInstanceId ?? '';
    const body = msg.body;
    const typeName = body?.type_url?.split('/').pop() ?? '';
    const value = body?.value ?? new Uint8Array();
    // Temporal's handleMessage: a body over limit.blobSize.error terminates the run, as an oversized command does.
    if (body && blobSizeVerdict(google.protobuf.Any.encode(body).finish().length, this.m.limits.blobSize) === 'error') {
      throw new BadCommandError(BAD_MESSAGE, `Message type ${typeName} exceeds size limit.`, true);
    }
    const inFlight = this.registry.get(this.m.ms.runId, updateId);
    this.answered.add(updateId);
    switch (typeName) {
      case 'temporal.api.update.v1.Acceptance':
        return this.accept(updateId, decodeBody(update.Acceptance, value), inFlight);
      case 'temporal.api.update.v1.Response':
        return this.respond(updateId, decodeBody(update.Response, value), inFlight);
      case 'temporal.api.update.v1.Rejection': {
        const rejection = decodeBody(update.Rejection, value);
        if (inFlight) this.effects.push(() => this.registry.advance(inFlight, 'completed', { failure: rejection.failure }));
        return;
      }
      default:
        throw new BadCommandError(BAD_MESSAGE, `Unsupported protocol message body ${typeName || '(none)'}.`);
    }
  }

  private accept(updateId: string, acceptance: temporal.api.update.v1.Acceptance, inFlight: InFlightUpdate | undefined): void {
    if (this.m.ms.updates[updateId]) return; // already accepted: a duplicate delivery
    const event = this.m.add({
      workflowExecutionUpdateAcceptedEventAttributes: {
        protocolInstanceId: updateId,
        acceptedRequestMessageId: acceptance.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: acceptance.acceptedRequestSequencingEventId,
        acceptedRequest: acceptance.acceptedRequest ?? inFlight?.request ?? null,
      },
    });
    this.m.ms.updates[updateId] = { acceptedEventId: toNumber(event.eventId) };
    if (inFlight) this.effects.push(() => this.registry.advance(inFlight, 'accepted'));
  }

  private respond(updateId: string, response: temporal.api.update.v1.Response, inFlight: InFlightUpdate | undefined): void {
    const accepted = this.m.ms.updates[updateId];
    if (!accepted) throw new BadCommandError(BAD_MESSAGE, `Update ${updateId} responded to before it was accepted.`);
    const event = this.m.add({
      workflowExecutionUpdateCompletedEventAttributes: {
        meta: response.meta,
        acceptedEventId: int64(accepted.acceptedEventId),
        outcome: response.outcome,
      },
    });
    accepted.completedEventId = toNumber(event.eventId);
    const outcome = response.outcome;
    if (inFlight) this.effects.push(() => this.registry.advance(inFlight, 'completed', outcome ?? undefined));
  }
}
