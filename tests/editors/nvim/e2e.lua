-- End-to-end check of the Neovim plugin against the real `hexa lsp`, run headless:
--   HEXA_BIN=... HEXA_PLUGIN=... HEXA_WORKDIR=... nvim --headless --clean -u e2e.lua
-- Opens a chart with an unclosed bracket, waits for the error, fixes the line, applies the
-- "Generate marimo notebook from flowchart" code action, then checks the notebook with
-- `hexa check`. Exits 0 on success and 1 with a FAIL line on stderr otherwise.

local bin = assert(os.getenv("HEXA_BIN"), "HEXA_BIN is not set")
local plugin = assert(os.getenv("HEXA_PLUGIN"), "HEXA_PLUGIN is not set")
local workdir = assert(os.getenv("HEXA_WORKDIR"), "HEXA_WORKDIR is not set")
local started = vim.uv.hrtime()

local function log(message)
  io.stderr:write(("[%.2fs] %s\n"):format((vim.uv.hrtime() - started) / 1e9, message))
end

local function fail(message)
  log("FAIL: " .. message)
  vim.cmd("cquit 1")
end

---Waits up to `ms` for `condition`, running the event loop meanwhile.
local function wait_for(ms, what, condition)
  if not vim.wait(ms, condition, 50) then
    error(("timed out after %d ms waiting for %s"):format(ms, what), 0)
  end
end

local broken = {
  "flowchart TD",
  "    A([Start]) --> B[/Read n/]",
  "    B --> C[x = n * 2",
  "    C --> D[/Print x/]",
  "    D --> E([End])",
}

local function main()
  vim.opt.runtimepath:prepend(plugin)
  vim.cmd("filetype plugin on")
  require("hexa").setup({ path = bin })

  local chart = workdir .. "/flow.mmd"
  vim.fn.writefile(broken, chart)
  vim.cmd.edit(chart)
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= "mermaid" then
    return fail("filetype is " .. vim.bo[buf].filetype .. ", expected mermaid")
  end

  wait_for(10000, "hexa lsp to attach", function()
    return require("hexa.lsp").client(buf) ~= nil
  end)
  local client = assert(require("hexa.lsp").client(buf))
  log("attached: " .. table.concat(client.config.cmd, " "))

  wait_for(10000, "a diagnostic", function()
    return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) > 0
  end)
  local diagnostic = vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })[1]
  log(("diagnostic at %d:%d: %s"):format(diagnostic.lnum + 1, diagnostic.col + 1, diagnostic.message))
  if diagnostic.lnum ~= 2 then
    return fail("diagnostic on line " .. (diagnostic.lnum + 1) .. ", expected line 3")
  end

  vim.api.nvim_buf_set_lines(buf, 2, 3, false, { "    B --> C[x = n * 2]" })
  wait_for(10000, "the diagnostic to clear", function()
    return #vim.diagnostic.get(buf) == 0
  end)
  vim.cmd("silent write")
  log("fixed line 3, no diagnostics left")

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } },
    context = { diagnostics = {}, only = { "source.generate.hexa" } },
  }
  local response = client:request_sync("textDocument/codeAction", params, 10000, buf)
  if not response or response.err then
    return fail("codeAction failed: " .. vim.inspect(response))
  end
  local action
  for _, candidate in ipairs(response.result or {}) do
    if candidate.title == "Generate marimo notebook from flowchart" then
      action = candidate
    end
  end
  if not action then
    return fail("no generate action in " .. vim.inspect(response.result))
  end
  if not action.edit and action.data then
    local resolved = client:request_sync("codeAction/resolve", action, 10000, buf)
    if not resolved or resolved.err then
      return fail("codeAction/resolve failed: " .. vim.inspect(resolved))
    end
    action = resolved.result
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
    vim.cmd("silent wall")
  elseif action.command then
    local done = client:request_sync("workspace/executeCommand", action.command, 10000, buf)
    if not done or done.err then
      return fail("executeCommand failed: " .. vim.inspect(done))
    end
  else
    return fail("the action has neither an edit nor a command: " .. vim.inspect(action))
  end
  local notebook = workdir .. "/flow.py"
  wait_for(10000, notebook .. " on disk", function()
    return vim.uv.fs_stat(notebook) ~= nil
  end)
  log("code action wrote " .. notebook)

  local check = vim.system({ bin, "check", notebook }, { text = true }):wait(60000)
  if check.code ~= 0 then
    return fail(("hexa check %s exited %d:\n%s%s"):format(notebook, check.code, check.stdout, check.stderr))
  end
  log("hexa check passed")

  vim.cmd.edit(chart)
  vim.cmd("HexaGenerate script")
  wait_for(10000, ":HexaGenerate script output", function()
    for name in vim.fs.dir(workdir) do
      if name ~= "flow.py" and name ~= "flow.mmd" and name:match("%.py$") then
        return true
      end
    end
    return false
  end)
  local written = {}
  for name in vim.fs.dir(workdir) do
    table.insert(written, name)
  end
  table.sort(written)
  log(":HexaGenerate script wrote; folder now holds " .. table.concat(written, ", "))

  client:stop()
  log("PASS")
  vim.cmd("qall!")
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  fail(tostring(err))
end
