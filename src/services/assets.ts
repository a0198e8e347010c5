// Operators' assets and their SBOMs, on a need-to-know basis: an operator sees and changes its own;
// coordinators and auditors see all. An SBOM streams in, batch by batch, inside one transaction: a new
// one replaces the asset's previous SBOM only when the whole document parsed, otherwise nothing changes.
import { createHash, randomUUID } from 'node:crypto';
import type { Caller } from '../core/access.js';
import { parseNewAsset } from '../core/assets.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import { streamSbom, type SbomSummary } from '../formats/sbom/index.js';
import * as assetStore from '../store/assets.js';
import type { Asset, NewComponent, Sbom } from '../store/assets.js';
import * as orgStore from '../store/orgs.js';
import { write, type ServiceContext } from './context.js';
import { matchNewSbom } from './matching.js';

export interface AssetView {
  id: string;
  orgId: string;
  name: string;
  assetClass: Asset['assetClass'];
  sector: string | null;
  criticality: number;
  createdAt: string;
  sbom: SbomView | null;
}

export interface SbomView {
  id: string;
  sha256: string;
  size: number;
  format: Sbom['format'];
  specVersion: string;
  components: number;
  derived: number;
  unidentified: number;
  uploadedAt: string;
  summary?: unknown;
}

function sbomView(s: Sbom, withSummary = false): SbomView {
  return {
    id: s.id,
    sha256: s.sha256,
    size: s.size,
    format: s.format,
    specVersion: s.specVersion,
    components: s.components,
    derived: s.derived,
    unidentified: s.unidentified,
    uploadedAt: s.uploadedAt.toISOString(),
    ...(withSummary ? { summary: s.summary } : {}),
  };
}

function assetView(a: Asset, sbom: Sbom | null): AssetView {
  return { id: a.id, orgId: a.orgId, name: a.name, assetClass: a.assetClass, sector: a.sector, criticality: a.criticality, createdAt: a.createdAt.toISOString(), sbom: sbom ? sbomView(sbom) : null };
}

const seesAll = (caller: Caller) => caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';

/** Largest SBOM accepted, in bytes (a million components is about 450 MB of CycloneDX). */
export const maxSbomBytes = 2 * 2 ** 30;

class Unchanged extends Error {}

export class AssetService {
  constructor(private readonly ctx: ServiceContext) {}

  async create(caller: Caller, body: { name?: unknown; assetClass?: unknown; sector?: unknown; criticality?: unknown; orgId?: unknown }): Promise<AssetView> {
    let orgId = caller.orgId;
    if (body.orgId !== undefined) {
      if (caller.orgKind !== 'coordinator' && body.orgId !== caller.orgId) throw new AppError('forbidden', 'only coordinators register assets for another organization');
      if (typeof body.orgId !== 'string' || !isUuid(body.orgId)) throw invalidField('/orgId', 'orgId must be an organization id');
      orgId = body.orgId;
    } else if (caller.orgKind !== 'operator') {
      throw new AppError('forbidden', 'operators register their assets (coordinators name the operator with orgId)');
    }
    const org = await orgStore.findOrg(this.ctx.db, orgId);
    if (!org) throw invalidField('/orgId', `organization ${orgId} not found`);
    if (org.profile.kind !== 'operator') throw invalidField('/orgId', `${org.name} is not an operator`);
    const parsed = parseNewAsset(body, org.profile);
    const asset = await write(this.ctx, caller, async (trx) => {
      if (await assetStore.findAssetByName(trx, orgId, parsed.name)) throw new AppError('conflict', `${org.name} already has an asset named ${parsed.name}`);
      const a = await assetStore.insertAsset(trx, {
        id: randomUUID(),
        orgId,
        name: parsed.name,
        assetClass: parsed.placement.assetClass,
        sector: parsed.placement.sector,
        criticality: parsed.criticality,
        createdAt: this.ctx.clock.now(),
      });
      return { result: a, events: [{ action: 'asset.create', objectType: 'asset', objectId: a.id, stateSha256: createHash('sha256').update(JSON.stringify(a)).digest('hex') }] };
    });
    return assetView(asset, null);
  }

  async list(caller: Caller, page: { limit: number; offset: number }): Promise<AssetView[]> {
    if (!seesAll(caller) && caller.orgKind !== 'operator') throw new AppError('forbidden', 'assets are visible to their operators, coordinators and auditors');
    const rows = await assetStore.listAssets(this.ctx.db, { ...page, ...(seesAll(caller) ? {} : { orgId: caller.orgId }) });
    return rows.map((r) => assetView(r, r.sbom));
  }

  /** By id, or by name within the caller's organization. Another organization's asset is not found. */
  private async visible(caller: Caller, idOrName: string): Promise<Asset> {
    const a = isUuid(idOrName) ? await assetStore.findAsset(this.ctx.db, idOrName) : await assetStore.findAssetByName(this.ctx.db, caller.orgId, idOrName);
    if (!a || (a.orgId !== caller.orgId && !seesAll(caller))) throw notFound('asset', idOrName);
    return a;
  }

  async get(caller: Caller, idOrName: string): Promise<AssetView & { sbom: SbomView | null }> {
    const a = await this.visible(caller, idOrName);
    const sbom = await assetStore.currentSbom(this.ctx.db, a.id);
    return { ...assetView(a, null), sbom: sbom ? sbomView(sbom, true) : null };
  }

  async components(caller: Caller, idOrName: string, page: { limit: number; offset: number }): Promise<NewComponent[]> {
    const a = await this.visible(caller, idOrName);
    const sbom = await assetStore.currentSbom(this.ctx.db, a.id);
    return sbom ? assetStore.listComponents(this.ctx.db, sbom.id, page) : [];
  }

  /**
   * Streams an SBOM into the asset: every component is written in batches inside one transaction, and the
   * SBOM becomes current only once the whole document parsed and validated. The same bytes as the current
   * SBOM change nothing (`created: false`).
   */
  async uploadSbom(caller: Caller, idOrName: string, body: AsyncIterable<Uint8Array>): Promise<{ created: boolean; asset: AssetView; sbom: SbomView }> {
    const asset = await this.visible(caller, idOrName);
    if (asset.orgId !== caller.orgId && caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only the operator (or a coordinator) uploads an asset\'s SBOM');
    const hash = createHash('sha256');
    let size = 0;
    const counted = (async function* () {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxSbomBytes) throw new AppError('payload-too-large', `an SBOM may be at most ${maxSbomBytes} bytes`);
        hash.update(chunk);
        yield chunk;
      }
    })();
    const now = this.ctx.clock.now();
    const id = randomUUID();
    try {
      const sbom = await write(this.ctx, caller, async (trx) => {
        await assetStore.findAsset(trx, asset.id, { lock: true }); // one upload per asset at a time
        await assetStore.insertSbomShell(trx, { id, assetId: asset.id, uploadedAt: now });
        let seq = 0;
        let summary: SbomSummary | null = null;
        const batches = streamSbom(counted, { onSummary: (s) => (summary = s) });
        for await (const batch of batches) {
          await assetStore.insertComponents(
            trx,
            id,
            batch.map((c) => ({ seq: seq++, purl: c.purl, purlKey: c.purlKey, name: c.name, version: c.version, matchVersion: c.matchVersion, derived: c.derived, purlSource: c.purlSource })),
          );
        }
        const s = summary as SbomSummary | null;
        if (!s) throw new AppError('unprocessable', 'the SBOM ended without a summary');
        const sha256 = hash.digest('hex');
        const current = await assetStore.currentSbom(trx, asset.id);
        if (current?.sha256 === sha256) throw new Unchanged();
        const stored: Sbom = {
          id,
          assetId: asset.id,
          sha256,
          size,
          format: s.format.kind,
          specVersion: s.format.version,
          components: s.components,
          derived: s.derived,
          unidentified: s.unidentified,
          summary: { subject: s.subject, documentId: s.documentId, bySource: s.bySource, nested: s.nested, unidentifiedSamples: s.unidentifiedSamples, invalidPurls: s.invalidPurls, arrays: s.arrays },
          uploadedAt: now,
          replacedAt: null,
        };
        await assetStore.completeSbom(trx, stored);
        await matchNewSbom(trx, id);
        return {
          result: stored,
          events: [{ action: 'sbom.upload', objectType: 'asset', objectId: asset.id, stateSha256: sha256 }],
        };
      });
      return { created: true, asset: assetView(asset, sbom), sbom: sbomView(sbom, true) };
    } catch (err) {
      if (err instanceof Unchanged) {
        const current = (await assetStore.currentSbom(this.ctx.db, asset.id))!;
        return { created: false, asset: assetView(asset, current), sbom: sbomView(current, true) };
      }
      throw err;
    }
  }
}
