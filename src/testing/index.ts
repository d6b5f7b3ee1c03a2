export { buildChatEvents, type ChatScript, type ScriptedToolCall } from "./build-chat-events.js";
export {
  type MockReplies,
  type MockReply,
  type MockServer,
  type MockServerOptions,
  type RecordedRequest,
  startMockServer,
} from "./mock-server.js";
export { replyAsOfflineModel } from "./offline-model.js";
export { renderEvents } from "./render-events.js";
export { replyPerStep, stepOf } from "./reply-per-step.js";
