/** @ei-gg/core/recipe: each component's least-privilege access control for its recipe (SPEC 6). */
export { componentAccessControl, type AccessControl, type AccessControlOptions } from './access-control';
