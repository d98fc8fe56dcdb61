import { Injectable } from '@nestjs/common';
import { OrganisationRepository } from '@hotline/db';

export interface UnitResponse {
  code: string;
  name: string;
  kind: string;
}
export interface SourceResponse {
  code: string;
  name: string;
  chain: string;
}
export interface CategoryResponse {
  code: string;
  name: string;
}

/** Units, sources and categories for pickers; only active ones. */
@Injectable()
export class ReferenceService {
  constructor(private readonly org: OrganisationRepository) {}

  async units(): Promise<UnitResponse[]> {
    return (await this.org.listUnits())
      .filter((u) => u.active)
      .map((u) => ({ code: u.code, name: u.name, kind: u.kind }));
  }

  async sources(): Promise<SourceResponse[]> {
    return (await this.org.listSources())
      .filter((s) => s.active)
      .map((s) => ({ code: s.code, name: s.name, chain: s.chain }));
  }

  async categories(): Promise<CategoryResponse[]> {
    return (await this.org.listCategories()).filter((c) => c.active).map((c) => ({ code: c.code, name: c.name }));
  }
}
