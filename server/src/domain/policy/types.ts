import type { PolicySettings } from '../../../../shared/schemas/policy.ts';
import type { Page, User } from '../directory/types.ts';

export interface Assignment {
  groupId: string;
  groupName: string;
  mode: 'include' | 'exclude';
}

export interface Policy {
  id: string;
  name: string;
  settings: PolicySettings;
  assignments: Assignment[];
  createdAt: Date;
  updatedAt: Date;
}

/** Policies and their assignments, implemented by store/policy-repo.ts. */
export interface PolicyRepo {
  createPolicy(name: string, settings: PolicySettings, now: Date): Promise<Policy>;
  updateSettings(id: string, settings: PolicySettings, now: Date): Promise<Policy>;
  getPolicy(id: string): Promise<Policy | null>;
  findPolicyByName(name: string): Promise<Policy | null>;
  listPolicies(): Promise<Policy[]>;
  /** Replaces every assignment of the policy. */
  setAssignments(policyId: string, assignments: { groupId: string; mode: 'include' | 'exclude' }[]): Promise<void>;
  /**
   * Users in an include group and in no exclude group (exclude wins), in id order, a page at a
   * time so a policy for 100k users never sits in memory whole.
   */
  listTargets(policyId: string, options: { after?: string; limit: number }): Promise<Page<User>>;
  countTargets(policyId: string): Promise<number>;
  /** The enabled policies that apply to a user (for the device's delivery bundle). */
  policiesForUser(userId: string): Promise<Policy[]>;
}
