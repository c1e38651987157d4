import type { Locale } from '../../ports.ts';

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  locale: Locale | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Group {
  id: string;
  name: string;
  createdAt: Date;
  memberCount: number;
}

export interface UserUpsert {
  email: string;
  displayName?: string | null | undefined;
  locale?: Locale | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; null on the last page. */
  next: string | null;
}

/** The directory's storage, implemented by store/directory-repo.ts on SQLite and PostgreSQL. */
export interface DirectoryRepo {
  upsertUser(input: UserUpsert, now: Date): Promise<{ user: User; created: boolean; changed: boolean }>;
  getUser(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  listUsers(options: { query?: string; after?: string; limit: number }): Promise<Page<User>>;
  countUsers(): Promise<number>;
  createGroup(name: string, now: Date): Promise<Group>;
  findGroupByName(name: string): Promise<Group | null>;
  listGroups(): Promise<Group[]>;
  /** Idempotent: returns false when the user already was a member. */
  addMember(groupId: string, userId: string): Promise<boolean>;
  removeMember(groupId: string, userId: string): Promise<boolean>;
  listMembers(groupId: string, options: { after?: string; limit: number }): Promise<Page<User>>;
  groupsOf(userId: string): Promise<Group[]>;
}
