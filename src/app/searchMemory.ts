// "Search memory" as the person asks it (MemCode: Search Memory, `memcode memory search`): past
// messages from recall memory and passages and notes from archival memory, one query for both.
import type { ArchivalHit } from '../memory/archivalMemory';
import type { RecallLog } from '../memory/recall';
import type { MessageRecord, Page } from '../memory/types';
import type { MemoryFolder } from './memoryFolder';

export interface MemorySearch {
  messages: Page<MessageRecord>;
  /** Absent when archival memory was never written (nothing indexed, no notes). */
  archival?: Page<ArchivalHit>;
  /** Why archival memory could not be searched (e.g. it needs a rebuild); the messages still come. */
  archivalError?: string;
}

export async function searchMemory(folder: MemoryFolder, recall: RecallLog, query: string, opts: { page?: number; pageSize: number }): Promise<MemorySearch> {
  const messages = recall.search(query, { page: opts.page, pageSize: opts.pageSize });
  if (!folder.hasArchival()) return { messages };
  try {
    const archival = await (await folder.archival()).search(query, { page: opts.page, pageSize: opts.pageSize });
    return { messages, archival };
  } catch (error) {
    return { messages, archivalError: error instanceof Error ? error.message : String(error) };
  }
}
