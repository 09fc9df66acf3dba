/*
 * i18n_notify.js — the strings of E3's notifications (portal) and
 * webhooks (console), in both languages, merged into the one dictionary
 * of i18n.js when a page imports this module.  Kept apart so the feature
 * adds a file rather than edits the shared dictionary.
 */
import { DICT } from "./i18n.js";

const zh = {
	"nav.notifications": "消息通知",
	"notes.title": "消息通知",
	"notes.lead": "亲属每次使用您的个人账户（就医购药支付、撤销退回、代缴居民医保）以及每次授权的建立或结束，都会在这里通知您。",
	"notes.unread": "{n} 条未读",
	"notes.unread_badge": "{n} 条未读消息",
	"notes.all_read": "全部已读",
	"notes.mark_all": "全部标为已读",
	"notes.mark_one": "标为已读",
	"notes.mark_one_named": "将“{text}”标为已读",
	"notes.marked": "已标为已读。",
	"notes.marked_all": "已将 {n} 条消息标为已读。",
	"notes.empty": "暂无消息。",
	"notes.new": "未读",
	"notes.list": "消息列表",
	"notes.kind.settlement_share": "{name}（{rel}）在{place}使用您的个人账户支付 {amount}",
	"notes.kind.share_revoked": "{place}撤销了{name}（{rel}）的结算，{amount} 已退回您的个人账户",
	"notes.kind.premium_payment": "您的个人账户为{name}（{rel}）缴纳了 {year} 年度居民医保个人缴费 {amount}",
	"notes.kind.binding_created": "您已授权{name}（{rel}）使用您的个人账户（办理渠道：{channel}）",
	"notes.kind.binding_ended": "{name}（{rel}）使用您个人账户的授权已结束（{reason}）",
	"notes.reason.authorizer": "由您本人解除",
	"notes.reason.terminated": "一方参保关系终止",
	"console.webhooks": "消息推送",
	"console.deliveries_dead": "推送失败的消息",
	"console.deliveries_dead_hint": "多次重试仍未送达的推送。接收方修复后可重新推送，接收方按推送编号去重。",
	"console.deliveries_empty": "没有推送失败的消息。",
	"console.retry": "重新推送",
	"console.retried": "推送 {id} 已重新排队。",
	"col.delivery": "推送编号",
	"col.url": "接收地址",
	"col.attempts": "尝试次数",
	"col.last_error": "最后错误",
};

const en = {
	"nav.notifications": "Notifications",
	"notes.title": "Notifications",
	"notes.lead": "You are told here every time a relative uses your personal account (a bill paid, a payment revoked and refunded, a resident premium paid) and every time an authorization is made or ended.",
	"notes.unread": "{n} unread",
	"notes.unread_badge": "{n} unread notifications",
	"notes.all_read": "All read",
	"notes.mark_all": "Mark all as read",
	"notes.mark_one": "Mark as read",
	"notes.mark_one_named": "Mark “{text}” as read",
	"notes.marked": "Marked as read.",
	"notes.marked_all": "{n} notifications marked as read.",
	"notes.empty": "No notifications yet.",
	"notes.new": "Unread",
	"notes.list": "Notifications",
	"notes.kind.settlement_share": "{name} ({rel}) paid {amount} from your personal account at {place}",
	"notes.kind.share_revoked": "{place} revoked the bill of {name} ({rel}); {amount} went back to your personal account",
	"notes.kind.premium_payment": "Your personal account paid {name}'s ({rel}) resident premium for {year}: {amount}",
	"notes.kind.binding_created": "You authorized {name} ({rel}) to use your personal account (channel: {channel})",
	"notes.kind.binding_ended": "The authorization of {name} ({rel}) to use your personal account ended ({reason})",
	"notes.reason.authorizer": "ended by you",
	"notes.reason.terminated": "insurance of one of you terminated",
	"console.webhooks": "Webhook deliveries",
	"console.deliveries_dead": "Failed deliveries",
	"console.deliveries_dead_hint": "Deliveries that ran out of attempts. Retry once the receiver is repaired; receivers deduplicate on the delivery id.",
	"console.deliveries_empty": "No failed deliveries.",
	"console.retry": "Retry",
	"console.retried": "Delivery {id} is queued again.",
	"col.delivery": "Delivery",
	"col.url": "Receiver",
	"col.attempts": "Attempts",
	"col.last_error": "Last error",
};

Object.assign(DICT.zh, zh);
Object.assign(DICT.en, en);

export const NOTIFY_DICT = { zh, en };
