/** The reflection root that `@temporalio/proto` ships untyped; `api/grpc-server.ts` narrows what it reads. */
declare module '@temporalio/proto/protos/json-module' {
  const root: unknown;
  export default root;
}
