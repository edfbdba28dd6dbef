// The file tools' way to the workspace policy: a path the model names, resolved for reading or writing,
// with the policy's refusal turned into the ToolError the model reads.
import { WorkspacePathError, type PathAccess } from '../workspace/workspaceFiles';
import { type ToolContext, ToolError } from './types';

export function resolveToolPath(ctx: ToolContext, requested: string, access: PathAccess): { abs: string; rel: string } {
  try {
    return ctx.workspace.resolve(requested, access);
  } catch (err) {
    if (err instanceof WorkspacePathError) throw new ToolError(err.message);
    throw err;
  }
}
