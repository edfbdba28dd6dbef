// The read-only file tools, all confined to the workspace (see workspace/workspaceFiles.ts).
import { listFilesTool } from './listFiles';
import { readFileTool } from './readFile';
import { searchFilesTool } from './searchFiles';

export { listFilesTool, readFileTool, searchFilesTool };

export const fileTools = [readFileTool, listFilesTool, searchFilesTool];
