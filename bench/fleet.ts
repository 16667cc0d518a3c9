export interface FleetFigures { machines: number }
export async function measureFleet(deps: { seconds: number; machines: number; log: (line: string) => void }): Promise<FleetFigures> {
  return { machines: deps.machines };
}
export function fleetRows(figures: FleetFigures): string[] {
  return [String(figures.machines)];
}
