// `clearinghouse asset` and `sbom upload`: operators' assets and the SBOM each runs.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { listAll } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';

interface SbomRow {
  format: string;
  specVersion: string;
  components: number;
  derived: number;
  unidentified: number;
  sha256: string;
  uploadedAt: string;
}

interface AssetRow {
  id: string;
  name: string;
  orgId: string;
  assetClass: string;
  sector: string | null;
  criticality: number;
  sbom: SbomRow | null;
}

const sbomLine = (s: SbomRow | null) => (s ? `${s.format} ${s.specVersion}: ${s.components} components (${s.derived} derived purls, ${s.unidentified} unidentified), uploaded ${s.uploadedAt}` : null);

export function registerAssets(program: Command, cli: CliContext): void {
  const asset = program.command('asset').description("operators' assets");
  asset
    .command('add')
    .description('register an asset (operators; coordinators with --org); class and sector default to the operator\'s')
    .requiredOption('--name <name>', 'asset name, unique in the organization')
    .option('--class <class>', 'nss, dow, fceb, sltt or ci')
    .option('--sector <sector>', 'CISA sector, for class ci (e.g. energy, water-and-wastewater-systems)')
    .option('--criticality <n>', 'from 0 to 1 (default 0.5)')
    .option('--org <orgId>', 'the operator (coordinators)')
    .action(async (o: { name: string; class?: string; sector?: string; criticality?: string; org?: string }) => {
      const criticality = o.criticality === undefined ? undefined : Number(o.criticality);
      if (criticality !== undefined && !(criticality >= 0 && criticality <= 1)) throw new Error(`--criticality must be a number from 0 to 1, not ${o.criticality}`);
      const a = await cli.client().post<AssetRow>('/v1/assets', {
        name: o.name,
        ...(o.class ? { assetClass: o.class } : {}),
        ...(o.sector ? { sector: o.sector } : {}),
        ...(criticality !== undefined ? { criticality } : {}),
        ...(o.org ? { orgId: o.org } : {}),
      });
      cli.out().print(a, () => fields([['asset', `${a.name} (${a.id})`], ['class', a.sector ? `${a.assetClass} / ${a.sector}` : a.assetClass], ['criticality', a.criticality]]));
    });
  asset
    .command('list')
    .description('your assets (all, for coordinators and auditors) with their SBOMs')
    .action(async () => {
      const rows = await listAll<AssetRow>(cli.client(), '/v1/assets', {});
      cli.out().print(rows, () =>
        table(rows, [
          { header: 'id', value: (a) => a.id },
          { header: 'name', value: (a) => a.name },
          { header: 'class', value: (a) => (a.sector ? `${a.assetClass}/${a.sector}` : a.assetClass) },
          { header: 'criticality', value: (a) => a.criticality },
          { header: 'components', value: (a) => a.sbom?.components },
          { header: 'sbom', value: (a) => (a.sbom ? `${a.sbom.format} ${a.sbom.specVersion}` : null) },
        ]),
      );
    });
  asset
    .command('show <asset>')
    .description('one asset (id, or name in your organization) and its current SBOM')
    .action(async (id: string) => {
      const a = await cli.client().get<AssetRow>(`/v1/assets/${encodeURIComponent(id)}`);
      cli.out().print(a, () => fields([['asset', `${a.name} (${a.id})`], ['class', a.sector ? `${a.assetClass} / ${a.sector}` : a.assetClass], ['criticality', a.criticality], ['sbom', sbomLine(a.sbom)], ['sha256', a.sbom?.sha256]]));
    });

  const sbom = program.command('sbom').description('software bills of materials of assets');
  sbom
    .command('upload <file>')
    .description('upload an asset\'s SBOM (CycloneDX 1.4–1.6 or SPDX 2.3 JSON, auto-detected), streamed; it replaces the previous one')
    .requiredOption('--asset <asset>', 'asset id, or name in your organization')
    .action(async (file: string, o: { asset: string }) => {
      const info = await stat(file).catch((err: Error) => {
        throw new Error(`cannot read ${file}: ${err.message}`);
      });
      if (!info.isFile()) throw new Error(`${file} is not a file`);
      cli.out().info(`uploading ${file} (${(info.size / 2 ** 20).toFixed(1)} MiB)`);
      const res = await cli.client().upload<{ created: boolean; asset: AssetRow; sbom: SbomRow }>(`/v1/assets/${encodeURIComponent(o.asset)}/sbom`, createReadStream(file), 'application/json', 'PUT');
      cli.out().print(res, () => `${res.created ? 'stored' : 'unchanged (the same SBOM is already current)'} for ${res.asset.name}: ${sbomLine(res.sbom)}\n`);
    });
}
