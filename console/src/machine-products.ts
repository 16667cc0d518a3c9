/** Every product of a machine, cabinet by cabinet: the machine's page and a code's page name products from it. */
import type { Product, VendcloudClient } from '../../src/client/index.js';

/** A product as the machine's page shows it: with its number of live codes. */
export interface MachineProduct extends Product {
  liveCodes: number;
}

export async function machineProducts(client: VendcloudClient, machineNo: string): Promise<Product[]> {
  const detail = await client.getMachine(machineNo);
  const cabinets = detail.cabinetNames.length > 0 ? detail.cabinetNames : ['A'];
  const pages = await Promise.all(cabinets.map((cabinetName) => client.listProducts(machineNo, { cabinetName, selectAll: true })));
  return pages.flatMap((page) => page.data);
}
