import { createRandom, type Random } from "../random.ts";
import type { SeedDirectoryInput, SeedFileInput, SeedInput } from "./schema.ts";

/** Fixed ids and secrets of the demo seed, printed by `smh-cleaner sim`. */
export const DEMO = {
  multiTenant: {
    libraryId: "smhdemo000001",
    librarySecret: "demo-secret-5f2c9a7e1b3d4f60a8c7e2d1",
    filesSpaceId: "spacedemofiles1",
    albumSpaceId: "spacedemoalbums",
    archiveSpaceId: "spacedemoarchive",
    /** 1,200 albums for bulk purges: 1,000 camera uploads and 200 others, created 2018–2020. */
    bulkAlbumSpaceId: "spacedemobulk",
  },
  singleTenant: {
    libraryId: "smhdemo000002",
    librarySecret: "demo-secret-0e4b7d2a9c1f3e5b6d8a0c2e",
  },
} as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EVENT_NAMES = [
  "launch",
  "offsite",
  "hackathon",
  "party",
  "conference",
  "workshop",
  "meetup",
  "retreat",
  "demo-day",
  "summit",
];
const PLACES = [
  "Beach trip",
  "Mountains",
  "City walk",
  "Family dinner",
  "Road trip",
  "Concert",
  "Garden",
  "Wedding",
  "Snow day",
  "Museum",
];

/** The first millisecond of the month `monthsAgo` months before `now` (UTC). */
function monthStart(now: number, monthsAgo: number): Date {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - monthsAgo, 1));
}

function yearMonth(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** A time in [from, to], never later than `now` minus an hour. */
function between(random: Random, from: number, to: number, now: number): number {
  const upper = Math.min(to, now - HOUR);
  return upper <= from ? from : from + Math.floor(random.next() * (upper - from));
}

function files(
  random: Random,
  count: number,
  make: (index: number) => { name: string; contentType: string; minSize: number; maxSize: number },
  from: number,
  to: number,
  now: number,
): SeedFileInput[] {
  return Array.from({ length: count }, (_, index) => {
    const spec = make(index);
    return {
      name: spec.name,
      contentType: spec.contentType,
      size: spec.minSize + random.int(spec.maxSize - spec.minSize),
      creationTime: between(random, from, to, now),
    };
  });
}

const photo = (index: number) => ({
  name: `IMG_${String(index + 1).padStart(4, "0")}.jpg`,
  contentType: "image/jpeg",
  minSize: 200_000,
  maxSize: 5_000_000,
});

/** `events/<yyyy>-<mm>-<name>` over the last 36 months, some with photos. */
function events(random: Random, now: number): SeedDirectoryInput[] {
  const directories: SeedDirectoryInput[] = [];
  for (let monthsAgo = 35; monthsAgo >= 0; monthsAgo--) {
    const start = monthStart(now, monthsAgo);
    const names = new Set<string>();
    const count = 3 + random.int(3);
    while (names.size < count) names.add(random.pick(EVENT_NAMES));
    for (const name of names) {
      const created = between(random, start.getTime(), start.getTime() + 27 * DAY, now);
      const modified = between(random, created, created + 20 * DAY, now);
      directories.push({
        path: `events/${yearMonth(start)}-${name}`,
        creationTime: created,
        modificationTime: modified,
        files: files(random, random.int(7), photo, created, modified, now),
      });
    }
  }
  return directories;
}

/** `users/<id>/{photos,documents,tmp}` for 40 users who joined over the last 3 years. */
function users(random: Random, now: number): SeedDirectoryInput[] {
  const directories: SeedDirectoryInput[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `u${String(1001 + i * 7)}`;
    const joined = between(random, now - 1095 * DAY, now - 2 * DAY, now);
    directories.push({ path: `users/${id}`, creationTime: joined });
    directories.push({
      path: `users/${id}/photos`,
      creationTime: joined,
      files: files(random, random.int(5), photo, joined, now, now),
    });
    directories.push({
      path: `users/${id}/documents`,
      creationTime: joined,
      files: files(
        random,
        random.int(4),
        (n) => ({
          name: `report-${n + 1}.pdf`,
          contentType: "application/pdf",
          minSize: 20_000,
          maxSize: 900_000,
        }),
        joined,
        now,
        now,
      ),
    });
    if (random.chance(0.6)) {
      const created = between(random, joined, now, now);
      directories.push({
        path: `users/${id}/tmp`,
        creationTime: created,
        modificationTime: created,
      });
    }
  }
  return directories;
}

/** `cases/CASE-<yyyy>-<nnnn>/{evidence,notes}`: 30 cases, evidence with videos and images. */
function cases(random: Random, now: number): SeedDirectoryInput[] {
  const directories: SeedDirectoryInput[] = [];
  for (let i = 0; i < 30; i++) {
    const opened = between(random, now - 1000 * DAY, now - DAY, now);
    const caseId = `CASE-${new Date(opened).getUTCFullYear()}-${String(100 + i * 13).padStart(4, "0")}`;
    directories.push({ path: `cases/${caseId}`, creationTime: opened });
    directories.push({
      path: `cases/${caseId}/evidence`,
      creationTime: opened,
      files: files(
        random,
        1 + random.int(4),
        (n) =>
          n % 2 === 0
            ? {
                name: `clip-${n + 1}.mp4`,
                contentType: "video/mp4",
                minSize: 5_000_000,
                maxSize: 90_000_000,
              }
            : {
                name: `scan-${n + 1}.png`,
                contentType: "image/png",
                minSize: 100_000,
                maxSize: 2_000_000,
              },
        opened,
        opened + 60 * DAY,
        now,
      ),
    });
    directories.push({
      path: `cases/${caseId}/notes`,
      creationTime: between(random, opened, opened + 30 * DAY, now),
    });
  }
  return directories;
}

/** 80 top-level albums (names with spaces, to exercise path encoding) with photos. */
function albums(random: Random, now: number): SeedDirectoryInput[] {
  const directories: SeedDirectoryInput[] = [];
  const seen = new Set<string>();
  while (directories.length < 80) {
    const created = between(random, now - 1095 * DAY, now - DAY, now);
    const name = `${yearMonth(new Date(created))} ${random.pick(PLACES)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const modified = between(random, created, created + 10 * DAY, now);
    directories.push({
      path: name,
      creationTime: created,
      modificationTime: modified,
      files: files(random, random.int(9), photo, created, modified, now),
    });
  }
  return directories;
}

/** How many of the bulk space's albums are camera uploads, and how many albums it has in all. */
export const BULK_CAMERA_UPLOADS = 1000;
export const BULK_ALBUMS = 1200;

/**
 * The bulk album space: {@link BULK_ALBUMS} albums created from 2018-01-01 to 2020-12-31 (UTC),
 * oldest first, each with 2 to 4 photos. Five in six are camera uploads,
 * `<yyyy>-<mm>-<dd> Camera upload <nnnn>` ({@link BULK_CAMERA_UPLOADS} of them, numbered from
 * 0001); the others are `<yyyy>-<mm>-<dd> <place> <nnn>`. Its own PRNG, so the other spaces of
 * the demo seed are the same with or without it.
 */
function bulkAlbums(): SeedDirectoryInput[] {
  const random = createRandom("smh-sim-demo-bulk");
  const from = Date.UTC(2018, 0, 1);
  const to = Date.UTC(2020, 11, 31, 12);
  const step = (to - from) / BULK_ALBUMS;
  const directories: SeedDirectoryInput[] = [];
  let uploads = 0;
  let others = 0;
  for (let i = 0; i < BULK_ALBUMS; i++) {
    const created = Math.floor(from + i * step + random.next() * Math.min(step, 6 * HOUR));
    const day = new Date(created).toISOString().slice(0, 10);
    const name =
      i % 6 === 5
        ? `${day} ${random.pick(PLACES)} ${String(++others).padStart(3, "0")}`
        : `${day} Camera upload ${String(++uploads).padStart(4, "0")}`;
    const modified = created + random.int(3 * DAY);
    directories.push({
      path: name,
      creationTime: created,
      modificationTime: modified,
      files: Array.from({ length: 2 + random.int(3) }, (_, index) => ({
        name: `IMG_${String(index + 1).padStart(4, "0")}.jpg`,
        contentType: "image/jpeg",
        size: 200_000 + random.int(4_800_000),
        creationTime: created + index * 60_000,
      })),
    });
  }
  return directories;
}

/** `archive/<yyyy>/<mm>` for the last 36 months. */
function archive(now: number): SeedDirectoryInput[] {
  const directories: SeedDirectoryInput[] = [];
  for (let monthsAgo = 35; monthsAgo >= 0; monthsAgo--) {
    const start = monthStart(now, monthsAgo);
    const [year, month] = yearMonth(start).split("-");
    directories.push({ path: `archive/${year}/${month}`, creationTime: start.getTime() });
  }
  return directories;
}

/** A small single-tenant tree: `projects/<name>/drafts`, `scratch/<n>`. */
function singleTenant(random: Random, now: number): SeedDirectoryInput[] {
  const directories: SeedDirectoryInput[] = [];
  for (const name of [
    "apollo",
    "borealis",
    "cascade",
    "delta",
    "ember",
    "fjord",
    "granite",
    "harbor",
  ]) {
    const created = between(random, now - 700 * DAY, now - 10 * DAY, now);
    directories.push({ path: `projects/${name}`, creationTime: created });
    directories.push({
      path: `projects/${name}/drafts`,
      creationTime: between(random, created, now, now),
    });
  }
  for (let i = 1; i <= 10; i++) {
    directories.push({
      path: `scratch/${i}`,
      creationTime: between(random, now - 90 * DAY, now, now),
    });
  }
  return directories;
}

/**
 * The demo seed: one multi-tenant library (recycle bin on, 30 days) with a files space (events,
 * users, cases), an album space, an archive space and a bulk album space (1,200 albums, for bulk
 * purges); and one small single-tenant library with the recycle bin off. Deterministic: the same PRNG seed always yields the same tree, with times
 * placed relative to `now` (over the last ~3 years) so age-based rules have something to match.
 */
export function demoSeed(now: number): SeedInput {
  const random = createRandom("smh-sim-demo");
  const m = DEMO.multiTenant;
  return {
    libraries: [
      {
        id: m.libraryId,
        secret: m.librarySecret,
        multiSpace: true,
        recycleBin: true,
        retentionDays: 30,
        spaces: [
          {
            id: m.filesSpaceId,
            kind: "files",
            userId: "demo-admin",
            creationTime: now - 1100 * DAY,
            directories: [...events(random, now), ...users(random, now), ...cases(random, now)],
          },
          {
            id: m.albumSpaceId,
            kind: "albums",
            userId: "demo-admin",
            creationTime: now - 1100 * DAY,
            directories: albums(random, now),
          },
          {
            id: m.archiveSpaceId,
            kind: "files",
            userId: "demo-archivist",
            creationTime: now - 1100 * DAY,
            directories: archive(now),
          },
          {
            id: m.bulkAlbumSpaceId,
            kind: "albums",
            userId: "demo-admin",
            creationTime: Date.UTC(2017, 11, 1),
            directories: bulkAlbums(),
          },
        ],
      },
      {
        id: DEMO.singleTenant.libraryId,
        secret: DEMO.singleTenant.librarySecret,
        multiSpace: false,
        recycleBin: false,
        retentionDays: 30,
        spaces: [{ id: "-", directories: singleTenant(random, now) }],
      },
    ],
  };
}

/**
 * The empty seed: the demo's multi-tenant library (same id and secret, recycle bin on, 30 days)
 * with one empty files space, `spacedemofiles1`.
 */
export function emptySeed(): SeedInput {
  const m = DEMO.multiTenant;
  return {
    libraries: [
      {
        id: m.libraryId,
        secret: m.librarySecret,
        spaces: [{ id: m.filesSpaceId }],
      },
    ],
  };
}
