// What the person sends: the text they typed plus editor text they attached. Recall keeps the two apart
// (the chat shows their words and references to the attachments); memory/messageContent.ts joins them
// into what the model reads.
import type { MessageAttachment } from '../memory/types';

/** A message from the person, as it enters the agent. */
export interface UserMessage {
  text: string;
  attachments?: MessageAttachment[];
}

/** A message typed while a turn runs, waiting for the turn's next step. `id` stays the same until it is delivered. */
export interface QueuedMessage extends UserMessage {
  id: string;
}
